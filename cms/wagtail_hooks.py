"""Admin wiring of the core content: documents, versions and taxonomy as snippet groups."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CopyView, EditView, SnippetViewSet, SnippetViewSetGroup

from cms import document_library  # noqa: F401  (closes Wagtail's document library)
from cms.access.requests import record_decision
from cms.admin_saves import (
    CreateInOneTransaction,
    EditInOneTransaction,
    PublishesOnlyWhatMayGoLive,
)
from cms.admin_translations import (
    OffersTranslationOnEditView,
    refuse_publishing_translation_without_review,
    translation_urls,
)
from cms.analytics import wagtail_hooks as analytics_hooks  # noqa: F401  (registers its hooks)
from cms.models import (
    AccessRequest,
    Category,
    DocumentVersion,
    Industry,
    Region,
    Service,
    Standard,
    TrustDocument,
)
from cms.review import ReviewedCreateAction, ReviewedPublishingPolicy, ReviewedPublishRevisionAction

#: Documents and versions whose publishing may need a review (``cms.review``).
REVIEWED_MODELS = (TrustDocument, DocumentVersion)

# Before the snippet viewsets below ask for the models' policy (Wagtail would make a default one).
register_permission_policy(TrustDocument, ReviewedPublishingPolicy(TrustDocument), exact_class=True)
register_permission_policy(
    DocumentVersion, ReviewedPublishingPolicy(DocumentVersion), exact_class=True
)


class RefuseStaleSaveEditView(EditInOneTransaction):
    """Refuses a save whose form was loaded from a revision that is no longer the latest.

    Wagtail tells editors when someone else has the same object open, and refuses an autosave
    that would overwrite a newer revision, but a plain Save still wins over whatever was saved
    meanwhile: two editors publishing at once, the last one silently undoing the other's
    change. Here the later save is refused with the editor's input kept; the form it comes back
    with is based on the latest revision, so saving again (after a look at the history) works.
    A double-clicked Save is refused the same way, after the first click has saved.
    """

    def is_valid(self, form):
        if not self.expects_json_response and self.is_out_of_date:
            message = _(
                "Someone else saved this %(model)s after you opened it. Your changes are "
                "below, not saved: look at what changed (History), then save again."
            ) % {"model": self.model._meta.verbose_name}
            form.add_error(None, message)
            self.produced_error_code = "invalid_revision"
            self.produced_error_message = message
            return False
        return super().is_valid(form)


# The views that can publish a document or version: create, edit (and its revert view, which
# Wagtail builds from it) and copy.
class ReviewedCreateView(PublishesOnlyWhatMayGoLive, CreateInOneTransaction):
    pass


class ReviewedEditView(
    OffersTranslationOnEditView, PublishesOnlyWhatMayGoLive, RefuseStaleSaveEditView
):
    pass


class TaxonomyEditView(OffersTranslationOnEditView, EditView):
    pass


class ReviewedCopyView(PublishesOnlyWhatMayGoLive, CopyView):
    pass


class TrustDocumentViewSet(SnippetViewSet):
    model = TrustDocument
    add_view_class = ReviewedCreateView
    edit_view_class = ReviewedEditView
    copy_view_class = ReviewedCopyView
    icon = "doc-full"
    menu_label = _("Document series")
    list_display = ["title", "category", "access_level", "locale", "live"]
    list_filter = ["access_level", "category", "live", "locale"]
    # Matched by the database (icontains) rather than Wagtail's search index, whose SQLite
    # backend cannot restrict a search to these fields (a 500): the same answer on every
    # database, over a few short columns, for staff only.
    search_backend_name = None
    search_fields = ["title", "slug", "summary"]
    ordering = ["title"]


class DocumentVersionViewSet(SnippetViewSet):
    model = DocumentVersion
    add_view_class = ReviewedCreateView
    edit_view_class = ReviewedEditView
    copy_view_class = ReviewedCopyView
    icon = "history"
    menu_label = _("Versions")
    list_display = ["document", "version_label", "published_on", "locale", "live"]
    list_filter = ["live", "locale"]
    search_backend_name = None  # as for the series, above
    search_fields = ["document__title", "version_label", "change_description"]
    ordering = ["-published_on"]


class TrustDocumentsGroup(SnippetViewSetGroup):
    items = (TrustDocumentViewSet, DocumentVersionViewSet)
    menu_icon = "doc-full-inverse"
    menu_label = _("Trust documents")
    menu_name = "trust-documents"
    menu_order = 150


def _taxonomy_viewset(taxonomy_model, icon):
    return type(
        f"{taxonomy_model.__name__}ViewSet",
        (SnippetViewSet,),
        {
            "model": taxonomy_model,
            "edit_view_class": TaxonomyEditView,
            "icon": icon,
            "list_display": ["name", "slug", "locale"],
            "search_backend_name": None,  # as for the series, below
            "search_fields": ["name", "slug"],
        },
    )


class TaxonomyGroup(SnippetViewSetGroup):
    items = (
        _taxonomy_viewset(Category, "folder-open-inverse"),
        _taxonomy_viewset(Service, "cogs"),
        _taxonomy_viewset(Standard, "tick-inverse"),
        _taxonomy_viewset(Industry, "group"),
        _taxonomy_viewset(Region, "site"),
    )
    menu_icon = "tag"
    menu_label = _("Taxonomy")
    menu_name = "taxonomy"
    menu_order = 160


register_snippet(TrustDocumentsGroup)
register_snippet(TaxonomyGroup)


@hooks.register("register_actions")
def register_reviewed_actions(registry):
    """Wagtail's publish and create actions for documents and versions (what the API runs) ask
    about the instance, as the admin's views do."""
    for model in REVIEWED_MODELS:
        registry.register(model, ReviewedPublishRevisionAction)
        registry.register(model, ReviewedCreateAction)


@hooks.register("construct_snippet_action_menu")
def offer_publish_only_where_allowed(menu_items, request, context):
    """No Publish (nor Schedule) in the footer of a document or version the user may not put
    live without review; the server refuses it anyway (``PublishesOnlyWhatMayGoLive``). A new
    one's level is only known from the submitted form, so the create form keeps the item."""
    instance = context.get("instance")
    if not isinstance(instance, REVIEWED_MODELS):
        return
    policy = policy_registry.get(instance)
    if not policy.user_has_permission_for_instance(request.user, "publish", instance):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("construct_main_menu")
def hide_public_document_library(request, menu_items):
    """Trust documents live in their own protected storage; Wagtail's document library serves
    files to anyone with the link, so editors are not offered it."""
    menu_items[:] = [item for item in menu_items if item.name != "documents"]


class AccessRequestViewSet(SnippetViewSet):
    model = AccessRequest
    icon = "key"
    menu_label = _("Access requests")
    list_display = ["user", "document", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    ordering = ["-created_at"]
    add_to_admin_menu = True
    menu_order = 180


register_snippet(AccessRequestViewSet)


@hooks.register("after_edit_snippet")
def decide_access_request(request, instance):
    """A status change saved by staff is a decision: stamp it and tell the requester."""
    if (
        isinstance(instance, AccessRequest)
        and instance.status_changed
        and instance.status != AccessRequest.Status.PENDING
    ):
        record_decision(instance, request.user, request)


# --- wagtail-localize: publishing a translation asks cms.review too (cms.admin_translations) --
# Both registered ahead of wagtail-localize's own hooks: its translation editor answers the edit
# view's POST itself, and its URLs would resolve first.
hooks.register("before_edit_snippet", refuse_publishing_translation_without_review, order=-1)
hooks.register("register_admin_urls", translation_urls, order=-1)
