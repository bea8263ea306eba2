"""Mappings between frameworks: which controls of one template correspond to which of another
(e.g. NIST SP 800-53 ↔ ISO/IEC 27001 Annex A), imported from an OSCAL mapping collection or a
CSV file. ``mapping_credit`` turns them into credit across an organization's assessments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalog import Control


class MappingRelationship(models.TextChoices):
    """OSCAL's relationships, read as "the source is … the target"."""

    EQUIVALENT_TO = "equivalent-to", _("equivalent to")
    EQUAL_TO = "equal-to", _("equal to")
    SUBSET_OF = "subset-of", _("subset of")
    SUPERSET_OF = "superset-of", _("superset of")
    INTERSECTS_WITH = "intersects-with", _("intersects with")


class MappingCollection(models.Model):
    """One imported mapping file, identified by its OSCAL UUID (a CSV file, which has none, by
    one derived from its name). Re-importing it replaces its maps."""

    oscal_uuid = models.UUIDField(_("OSCAL UUID"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=100, blank=True)
    oscal_version = models.CharField(_("OSCAL version"), max_length=20, blank=True)
    source_name = models.CharField(_("imported from"), max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("control mapping collection")
        verbose_name_plural = _("control mapping collections")

    def __str__(self):
        return self.title


class ControlMap(models.Model):
    """One OSCAL ``map``: a set of source controls stands in ``relationship`` to a set of
    target controls (most maps name one of each). The sources all belong to one template, the
    targets to another."""

    collection = models.ForeignKey(MappingCollection, on_delete=models.CASCADE, related_name="maps")
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=MappingRelationship.choices
    )
    remarks = models.TextField(_("remarks"), blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["collection", "sort_order"]
        verbose_name = _("control map")

    def __str__(self):
        return f"{self.collection_id}: {self.relationship}"


class MapSide(models.TextChoices):
    SOURCE = "source", _("source")
    TARGET = "target", _("target")


class MappedControl(models.Model):
    """A control on one side of a map."""

    control_map = models.ForeignKey(ControlMap, on_delete=models.CASCADE, related_name="members")
    side = models.CharField(max_length=6, choices=MapSide.choices)
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="mapped_in")

    class Meta:
        unique_together = [("control_map", "side", "control")]
        # Credit looks maps up from the controls of an assessment's template.
        indexes = [models.Index(fields=["control", "side"])]

    def __str__(self):
        return f"{self.control_map_id} {self.side}: {self.control_id}"
