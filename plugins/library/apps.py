from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cms.plugins.base import DocumentAction, ListingAction, MenuItem, PluginConfig


class LibraryConfig(PluginConfig):
    """My Library: readers keep the documents they care about, from the "…" menu of a
    document, the checkboxes of a listing, or a whole starter pack."""

    name = "plugins.library"
    label = "library"
    plugin_id = "library"
    default = True
    verbose_name = _("My Library")
    default_settings = {
        # Documents whose current version or newest update note is this recent (days) are
        # flagged as updated.
        "UPDATED_WITHIN_DAYS": 30,
        "MAX_DOCUMENTS_PER_REQUEST": 200,
        # Saved documents per page of My Library on the site (the API takes ?limit=).
        "PAGE_SIZE": 20,
    }

    def reader_urls(self):
        from . import views

        return [
            path("", views.library, name="index"),
            path("save/", views.save, name="save"),
            path("remove/", views.remove, name="remove"),
        ]

    def menu_items(self, request):
        if not request.user.is_authenticated:
            return []
        return [MenuItem(label=str(_("My Library")), url=reverse("library:index"), order=60)]

    def document_actions(self, request, document):
        if not request.user.is_authenticated:
            return []
        return [DocumentAction(label=str(_("Save to library")), url=reverse("library:save"))]

    def listing_actions(self, request):
        if not request.user.is_authenticated:
            return []
        return [
            ListingAction(
                label=str(_("Save to library")),
                url=reverse("library:save"),
                all_label=str(_("Save all to library")),
            )
        ]

    def document_subscribers(self, document_id):
        # Whoever saved a document wants to hear about it (notifications decide how and when).
        from .models import SavedDocument

        return SavedDocument.objects.filter(document_id=document_id).values("user_id")

    def private_models(self):
        return ["library.SavedDocument"]

    def api_router(self):
        from .api import router

        return router
