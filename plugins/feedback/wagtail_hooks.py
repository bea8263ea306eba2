from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Feedback


class FeedbackViewSet(SnippetViewSet):
    model = Feedback
    icon = "mail"
    list_display = ["kind", "comment", "status", "created_at"]
    list_filter = ["kind", "status"]
    list_export = ["kind", "comment", "page_url", "contact_email", "status", "created_at"]
    search_fields = ["comment"]
    add_to_admin_menu = True
    menu_order = 400


register_snippet(FeedbackViewSet)
