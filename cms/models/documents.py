"""Trust documents: a series (the metadata) with versions (the files).

Both are snippets assembled from Wagtail's mixins, so they get drafts, revisions, scheduled
publishing and expiry, locking, workflows and translation. A version is its own snippet rather
than an inline of the series because each version is reviewed and published on its own: a new
audit report goes through review without touching the series, and publishing it is the "new
version" event readers are notified of.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PublishingPanel,
)
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail.search import index

from cms.events import content_saved
from cms.files import storage
from cms.files.text_extraction import extract_text
from cms.files.uploads import (
    ALLOWED_TYPES,
    extension_of,
    safe_stored_name,
    sha256_of,
    validate_upload,
)
from cms.files.widgets import ProtectedFileInput
from cms.listings import page_listings

from .levels import AccessLevel
from .servable import DocumentVersionForm, refuse_raising_with_unservable_files

#: Newest first, documents without a live version last: an expression both databases index
#: (SQLite has no NULLS LAST in an index).
UPDATED_ORDER = Coalesce(F("updated_on"), Value(date.min))


def protected_storage():
    # Named in the migrations; the storage itself is looked up when first used.
    return storage.protected_storage


class PublishedInOneTransaction:
    """Publishing and unpublishing take several writes (the revision, the row, update notes and
    core events, the end of a workflow, the admin's log) that Wagtail runs without a
    transaction of their own. Here they are one, wherever they run (the admin, a workflow's
    approval, scheduled publishing, a script): one that fails half way (a lock wait that times
    out, the database lost) leaves what was live before, whole."""

    def publish(self, *args, **kwargs):
        with transaction.atomic():
            return super().publish(*args, **kwargs)

    def unpublish(self, *args, **kwargs):
        with transaction.atomic():
            return super().unpublish(*args, **kwargs)


class TrustDocumentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)

    def in_locale(self, locale):
        return self.filter(locale=locale)


class TrustDocument(
    PublishedInOneTransaction,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    TranslatableMixin,
    index.Indexed,
    ClusterableModel,
):
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255)
    summary = models.TextField(_("summary"))
    #: Compared with the note live before each publish: only a new note notifies (see
    #: ``cms.publishing``), so a later correction does not repeat it to everyone.
    update_note = models.TextField(
        _("update note"),
        blank=True,
        help_text=_(
            "What changed, in a sentence or two, for readers who saved this document. "
            "Publishing with a new note notifies them; publishing with the note unchanged or "
            "empty notifies nobody."
        ),
    )
    category = models.ForeignKey(
        "cms.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    services = ParentalManyToManyField("cms.Service", verbose_name=_("cloud services"), blank=True)
    regions = ParentalManyToManyField("cms.Region", verbose_name=_("regions"), blank=True)
    industries = ParentalManyToManyField("cms.Industry", verbose_name=_("industries"), blank=True)
    standards = ParentalManyToManyField("cms.Standard", verbose_name=_("standards"), blank=True)
    audit_period_start = models.DateField(_("audit period start"), null=True, blank=True)
    audit_period_end = models.DateField(_("audit period end"), null=True, blank=True)
    language = models.CharField(
        _("document language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    access_level = models.CharField(
        _("access level"), max_length=16, choices=AccessLevel.choices, default=AccessLevel.NDA
    )
    restricted_listed = models.BooleanField(
        _("listed"),
        default=False,
        help_text=_(
            "Restricted documents only: show the title to everyone so they can request access. "
            "Unlisted restricted documents are invisible to those not entitled."
        ),
    )
    restricted_organizations = ParentalManyToManyField(
        "cms.Organization",
        verbose_name=_("entitled organizations"),
        blank=True,
        related_name="+",
        help_text=_(
            "Restricted documents only: the organizations entitled to see and download it."
        ),
    )
    #: The publish date of the newest live version: what readers call "updated". Kept up to date
    #: by the versions (``refresh_updated_on``), never edited, so listings sort and filter by it
    #: with an index instead of aggregating every version.
    updated_on = models.DateField(_("updated on"), null=True, blank=True, editable=False)
    restricted_groups = ParentalManyToManyField(
        Group,
        verbose_name=_("entitled groups"),
        blank=True,
        related_name="+",
        help_text=_("Restricted documents only: the groups entitled to see and download it."),
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="trustdocument")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="trustdocument",
        for_concrete_model=False,
    )

    objects = TrustDocumentQuerySet.as_manager()

    def clean(self):
        super().clean()
        # Raising a public series to a watermarked level must not leave files nobody can get.
        refuse_raising_with_unservable_files(
            self, VersionFile.objects.filter(version__document_id=self.pk).select_related("version")
        )

    def save(self, *args, **kwargs):
        # The row, its many-to-many terms, the derived date and the search entry together.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if changes_reader_content(kwargs.get("update_fields")):
                # The date belongs to the versions: a save of the series (publishing a revision
                # saved before the latest version, say) writes whatever date the instance held.
                refresh_updated_on([self.pk])
            _content_saved(self, kwargs.get("update_fields"))

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("summary"),
        FieldPanel("update_note"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("services"),
                FieldPanel("regions"),
                FieldPanel("industries"),
                FieldPanel("standards"),
            ],
            heading=_("Classification"),
        ),
        FieldRowPanel([FieldPanel("audit_period_start"), FieldPanel("audit_period_end")]),
        FieldPanel("language"),
        MultiFieldPanel(
            [
                FieldPanel("access_level"),
                FieldPanel("restricted_listed"),
                FieldPanel("restricted_organizations"),
                FieldPanel("restricted_groups"),
            ],
            heading=_("Access"),
        ),
        # Go-live and expiry times (the admin's schedule dialog); publish_scheduled applies them.
        PublishingPanel(),
    ]

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("summary"),
        index.RelatedFields("standards", [index.SearchField("name", boost=2)]),
        index.RelatedFields("services", [index.SearchField("name")]),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("live"),
        index.FilterField("locale_id"),
        index.FilterField("access_level"),
        index.FilterField("category_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("trust document")
        verbose_name_plural = _("trust documents")
        unique_together = [("translation_key", "locale"), ("slug", "locale")]
        ordering = ["title"]
        # Listings page through a locale's documents in title order: read in index order, the
        # first page needs no sort of every document.
        indexes = [
            models.Index(fields=["locale", "title", "id"], name="cms_document_title_order"),
            # Restricted documents, whose entitlements the policy checks one by one.
            models.Index(
                fields=["id"],
                condition=models.Q(access_level=AccessLevel.RESTRICTED),
                name="cms_document_restricted",
            ),
            models.Index(
                F("locale"), UPDATED_ORDER.desc(), F("id"), name="cms_document_updated_order"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_gated(self) -> bool:
        return self.access_level in AccessLevel.gated()

    def get_url(self) -> str:
        return reverse("portal:document", kwargs={"slug": self.slug})

    def current_version(self) -> DocumentVersion | None:
        return self.versions.filter(live=True).order_by("-published_on", "-pk").first()

    def get_preview_template(self, request, mode_name):
        return "portal/document_detail.html"

    def get_preview_context(self, request, mode_name):
        return page_listings().document_preview_context(request, self)


class DocumentVersion(
    PublishedInOneTransaction,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    TranslatableMixin,
    index.Indexed,
    ClusterableModel,
):
    document = models.ForeignKey(
        TrustDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    version_label = models.CharField(_("version"), max_length=64, help_text=_("e.g. 2026 or v3.1"))
    published_on = models.DateField(
        _("publish date"),
        default=timezone.localdate,
        help_text=_(
            "Shown to readers; superseded versions stay downloadable for the retention period "
            "after it."
        ),
    )
    change_description = models.TextField(
        _("what changed"), help_text=_("A brief description of what changed in this version.")
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="documentversion")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="documentversion",
        for_concrete_model=False,
    )

    #: Each PDF checked against the document it is for (``servable``).
    base_form_class = DocumentVersionForm
    panels = [
        FieldPanel("document"),
        FieldRowPanel([FieldPanel("version_label"), FieldPanel("published_on")]),
        FieldPanel("change_description"),
        InlinePanel("files", heading=_("Files"), label=_("File"), min_num=1),
        PublishingPanel(),
    ]
    search_fields = [
        index.SearchField("change_description"),
        index.FilterField("live"),
        # The admin's choosers search versions of one language: without it, a 500.
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        unique_together = [("translation_key", "locale")]
        ordering = ["-published_on", "-pk"]

    def save(self, *args, **kwargs):
        # The row, its files, the series' date and its search entry together.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if changes_reader_content(kwargs.get("update_fields")):
                refresh_updated_on([self.document_id])
            _content_saved(self, kwargs.get("update_fields"))

    def __str__(self):
        return f"{self.document} — {self.version_label}"

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_gated(self) -> bool:
        return self.document.is_gated

    @classmethod
    def current_ids_subquery(cls):
        """Ids of every document's current version: its newest live one."""
        newest = (
            cls.objects.filter(document=OuterRef("document"), live=True)
            .order_by("-published_on", "-pk")
            .values("pk")[:1]
        )
        return cls.objects.filter(live=True, pk=Subquery(newest)).values("pk")

    def file_for_language(self, language: str) -> VersionFile | None:
        """The file in ``language``, else the one in the document's own language, else any."""
        files = list(self.files.all())
        for wanted in (language, self.document.language):
            match = next((f for f in files if f.language == wanted), None)
            if match:
                return match
        return files[0] if files else None

    def get_download_url(self, language: str | None = None) -> str:
        url = reverse("portal:download", kwargs={"version_id": self.pk})
        return f"{url}?lang={language}" if language else url


class FingerprintedFileField(models.FileField):
    """Records the uploader's file name, size and SHA-256 on the instance when the upload is
    committed to storage. ``pre_save`` is the one place both a plain save and the serialisation
    of a draft revision (modelcluster) go through, so drafts keep their fingerprints too."""

    def pre_save(self, model_instance, add):
        upload = getattr(model_instance, self.attname)
        if upload and not upload._committed:
            model_instance.original_filename = upload.name.rsplit("/", 1)[-1][:255]
            model_instance.size = upload.size
            model_instance.sha256 = sha256_of(upload)
            model_instance.extracted_text = extract_text(upload, upload.name)
        return super().pre_save(model_instance, add)


class VersionFile(Orderable):
    """One file of a version, in one language (a version has at most one file per language)."""

    version = ParentalKey(DocumentVersion, on_delete=models.CASCADE, related_name="files")
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    file = FingerprintedFileField(
        _("file"),
        storage=protected_storage,
        upload_to=safe_stored_name,
        max_length=255,
        validators=[validate_upload],
        help_text=_("PDF, Office documents, ZIP, images or text; checked by content."),
    )
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    #: The file's text (bounded), read once at upload for full-text search.
    extracted_text = models.TextField(blank=True, default="", editable=False)

    panels = [
        FieldRowPanel([FieldPanel("language"), FieldPanel("file", widget=ProtectedFileInput)])
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("version file")
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="one_file_per_language")
        ]

    def __str__(self):
        return self.display_name

    @cached_property
    def display_name(self) -> str:
        return self.original_filename or self.file.name.rsplit("/", 1)[-1]

    @property
    def content_type(self) -> str:
        return ALLOWED_TYPES.get(extension_of(self.file.name), "application/octet-stream")


#: Fields a save may write that are only the editing state of a document or version (a new draft
#: revision, a lock), never what readers see.
EDITING_STATE_FIELDS = frozenset(
    {"latest_revision", "has_unpublished_changes", "locked", "locked_at", "locked_by"}
)


def changes_reader_content(update_fields) -> bool:
    """Whether a save with these ``update_fields`` (None: every field) can change what readers
    see: not when it writes the editing state alone."""
    return update_fields is None or not set(update_fields) <= EDITING_STATE_FIELDS


def _content_saved(instance, update_fields) -> None:
    content_saved.send(sender=type(instance), instance=instance, update_fields=update_fields)


def refresh_updated_on(document_ids=None) -> None:
    """Set ``updated_on`` of these documents (all when None) from their live versions, in one
    statement."""
    newest = (
        DocumentVersion.objects.filter(document=OuterRef("pk"), live=True)
        .order_by("-published_on")
        .values("published_on")[:1]
    )
    documents = TrustDocument.objects.all()
    if document_ids is not None:
        documents = documents.filter(pk__in=list(document_ids))
    documents.update(updated_on=Subquery(newest))
