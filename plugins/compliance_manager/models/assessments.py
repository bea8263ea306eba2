"""An organization's assessments, grouped, and the action items its people work on.

Action items belong to a group, not to one assessment: two assessments of a group that ask for
the same action (same control id and action key) point at one item, so they stay in sync.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.files import storage
from cms.files.uploads import safe_stored_name

from .catalog import Control, Template
from .points import DEFAULT_KIND, ActionType, Enforcement, kind_label


class ImplementationStatus(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    PLANNED = "planned", _("Planned")
    IMPLEMENTED = "implemented", _("Implemented")
    ALTERNATIVE = "alternative", _("Alternative implementation")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class TestingStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    PASSED = "passed", _("Passed")
    FAILED_LOW = "failed_low", _("Failed (low risk)")
    FAILED_MEDIUM = "failed_medium", _("Failed (medium risk)")
    FAILED_HIGH = "failed_high", _("Failed (high risk)")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class AssessmentGroup(models.Model):
    organization = models.ForeignKey(
        "cms.Organization", on_delete=models.CASCADE, related_name="assessment_groups"
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        unique_together = [("organization", "name")]
        verbose_name = _("assessment group")

    def __str__(self):
        return self.name


class Assessment(models.Model):
    organization = models.ForeignKey(
        "cms.Organization", on_delete=models.CASCADE, related_name="assessments"
    )
    group = models.ForeignKey(AssessmentGroup, on_delete=models.PROTECT, related_name="assessments")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        "cms.Service",
        verbose_name=_("cloud service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["group__name", "title"]
        verbose_name = _("assessment")

    def __str__(self):
        return self.title


class ActionItem(models.Model):
    organization = models.ForeignKey(
        "cms.Organization", on_delete=models.CASCADE, related_name="action_items"
    )
    group = models.ForeignKey(
        AssessmentGroup, on_delete=models.CASCADE, related_name="action_items"
    )
    key = models.CharField(max_length=200)
    control_label = models.CharField(max_length=100)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(blank=True)
    # The kind and override of the improvement action the item was made from (and follows, see
    # ``points.follow_action``): what ``points`` is derived from when the points table changes.
    action_type = models.CharField(
        _("type"), max_length=16, choices=ActionType.choices, default=DEFAULT_KIND[0]
    )
    enforcement = models.CharField(
        _("enforcement"), max_length=16, choices=Enforcement.choices, default=DEFAULT_KIND[1]
    )
    points_override = models.PositiveIntegerField(null=True, blank=True)
    points = models.PositiveIntegerField(default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compliance_action_items",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    implementation_status = models.CharField(
        _("implementation status"),
        max_length=20,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_IMPLEMENTED,
    )
    implementation_notes = models.TextField(_("implementation notes"), blank=True)
    testing_status = models.CharField(
        _("testing status"),
        max_length=20,
        choices=TestingStatus.choices,
        default=TestingStatus.NOT_ASSESSED,
    )
    testing_notes = models.TextField(_("testing notes"), blank=True)
    automatic_updates = models.BooleanField(
        _("automatic updates"),
        default=False,
        help_text=_("The implementation status follows an external signal posted to the API."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["control_label", "key"]
        unique_together = [("group", "key")]
        indexes = [models.Index(fields=["organization", "assignee"])]
        verbose_name = _("action item")

    def __str__(self):
        return f"{self.control_label}: {self.title}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.action_type, self.enforcement)


class AssessmentAction(models.Model):
    """Which action items an assessment asks for, under which of its template's controls."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="links")
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="+")
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="links")

    class Meta:
        unique_together = [("assessment", "action_item")]
        indexes = [models.Index(fields=["assessment", "control"])]

    def __str__(self):
        return f"{self.assessment_id}: {self.action_item_id}"


class ActionItemChange(models.Model):
    """One line of an action item's history: who changed which field from what to what."""

    #: Shown instead of a person whose assignments an administrator removed (user privacy).
    USER_REMOVED = "user removed"

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    field = models.CharField(max_length=50)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    #: Set when an external signal made the change (automatic updates).
    source = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.actor_label}: {self.field}"


def evidence_path(instance, filename: str) -> str:
    return "compliance-evidence/" + safe_stored_name(instance, filename).removeprefix("versions/")


def protected_storage():
    # Named in the migrations; the storage itself is looked up when first used.
    return storage.protected_storage


class Evidence(models.Model):
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, storage=protected_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("evidence")

    def __str__(self):
        return self.original_name
