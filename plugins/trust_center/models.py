"""What the best trust centers show on their front page: who processes customer data for the
provider (subprocessors) and a security FAQ.

Both are snippets with drafts, revisions and translations (wagtail-localize): editors write them
in the default language; readers see the live translation in theirs where there is one.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, RevisionMixin, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from cms.models import AccessLevel

#: The access levels an FAQ answer may have: those of documents that follow from who the reader
#: is. "Restricted" needs named organizations or groups, which an FAQ entry does not carry.
FAQ_LEVELS = [
    (level.value, level.label)
    for level in (AccessLevel.PUBLIC, AccessLevel.SIGNED_IN, AccessLevel.NDA)
]


class Subprocessor(DraftStateMixin, RevisionMixin, TranslatableMixin, index.Indexed, models.Model):
    """A third party that processes customer data for the provider. Readers see the live ones,
    with the purpose and location in their language; name, website and start date are the same
    in every language."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(
        _("purpose"), max_length=300, help_text=_("What the subprocessor does with customer data.")
    )
    location = models.CharField(
        _("location"), max_length=200, help_text=_("Where it processes data, e.g. Germany, EU.")
    )
    website = models.URLField(_("website"), blank=True)
    since = models.DateField(_("since"), help_text=_("When the provider started using it."))

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="subprocessor")

    panels = [
        FieldPanel("name"),
        FieldPanel("purpose"),
        FieldPanel("location"),
        FieldPanel("website"),
        FieldPanel("since"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("purpose"),
        index.SearchField("location"),
        index.FilterField("locale"),
        index.FilterField("live"),
    ]
    override_translatable_fields = [
        SynchronizedField("name"),
        SynchronizedField("website", overridable=False),
        SynchronizedField("since", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("subprocessor")
        verbose_name_plural = _("subprocessors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def revisions(self):
        return self._revisions

    def snapshot(self) -> dict:
        """What readers see of it (and subscribers are told changed)."""
        return {
            "name": self.name,
            "purpose": self.purpose,
            "location": self.location,
            "website": self.website,
            "since": self.since.isoformat() if self.since else "",
        }


class SubprocessorChange(models.Model):
    """The history of the subprocessors list, as subscribers are told it: one row per event
    raised (``event_id`` is its outbox id). Kept when the subprocessor itself is deleted."""

    class Change(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    subprocessor_key = models.UUIDField(db_index=True)
    change = models.CharField(max_length=16, choices=Change.choices)
    #: What it looked like after the change (before it, for a removal).
    snapshot = models.JSONField(default=dict)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("subprocessor change")
        verbose_name_plural = _("subprocessor changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.snapshot.get('name', self.subprocessor_key)}: {self.change}"


class FaqEntry(DraftStateMixin, RevisionMixin, TranslatableMixin, index.Indexed, models.Model):
    """A question of the security FAQ and its answer. Everyone sees the question; the answer only
    readers whose access level allows it (the one policy's levels, as for a document's files):
    a question tells a prospect the answer exists and what it takes to read it."""

    question = models.CharField(_("question"), max_length=300)
    answer = RichTextField(_("answer"), features=["bold", "italic", "link", "ol", "ul"])
    category = models.CharField(_("category"), max_length=100, blank=True)
    sort_order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Lower numbers come first.")
    )
    access_level = models.CharField(
        _("who may read the answer"),
        max_length=16,
        choices=FAQ_LEVELS,
        default=AccessLevel.PUBLIC,
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="faqentry")

    panels = [
        FieldPanel("question"),
        FieldPanel("answer"),
        FieldPanel("category"),
        FieldPanel("sort_order"),
        FieldPanel("access_level"),
    ]
    search_fields = [
        index.SearchField("question"),
        index.AutocompleteField("question"),
        index.SearchField("answer"),
        index.SearchField("category"),
        index.FilterField("locale"),
        index.FilterField("live"),
        index.FilterField("access_level"),
    ]
    # The translation of a gated answer is gated: the level comes from the source, always.
    override_translatable_fields = [
        SynchronizedField("access_level", overridable=False),
        SynchronizedField("sort_order", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.question

    @property
    def revisions(self):
        return self._revisions
