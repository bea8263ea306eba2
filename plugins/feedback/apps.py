from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cms.plugins.base import FooterLink, PluginConfig


class FeedbackConfig(PluginConfig):
    name = "plugins.feedback"
    label = "feedback"
    plugin_id = "feedback"
    default = True
    verbose_name = _("Feedback")
    # NOTIFY_EMAILS: who hears of new feedback; empty means every user allowed to triage it.
    default_settings = {"MAX_COMMENT_LENGTH": 4000, "NOTIFY_EMAILS": []}

    def reader_urls(self):
        from . import views

        return [
            path("", views.feedback_form, name="form"),
            path("thanks/", views.thanks, name="thanks"),
        ]

    def maintenance_tasks(self):
        from .notifications import notify_unnotified

        return [notify_unnotified]

    def private_models(self):
        return ["feedback.Feedback"]

    def footer_links(self, request):
        url = reverse("feedback:form") + "?" + urlencode({"from": request.path})
        return [FooterLink(label=str(_("Feedback")), url=url, order=10)]
