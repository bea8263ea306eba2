"""Templates: control catalogs imported from OSCAL, with what the provider attaches to each
control (who is responsible, the provider's implementation and test, customer actions)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel

from .points import (
    DEFAULT_KIND,
    DEFAULT_PROVIDER_POINTS,
    ActionPoints,
    ActionType,
    Enforcement,
)


class Responsibility(models.TextChoices):
    PROVIDER = "provider", _("Provider-managed")
    CUSTOMER = "customer", _("Customer-managed")
    SHARED = "shared", _("Shared")


class ProviderTestResult(models.TextChoices):
    NOT_TESTED = "not_tested", _("Not tested")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class Template(models.Model):
    """One imported OSCAL catalog (or resolved-profile catalog), identified by its UUID."""

    oscal_uuid = models.UUIDField(_("OSCAL UUID"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=100, blank=True)
    oscal_version = models.CharField(_("OSCAL version"), max_length=20, blank=True)
    source_name = models.CharField(_("imported from"), max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    panels = [FieldPanel("title"), FieldPanel("version", read_only=True)]

    class Meta:
        ordering = ["title"]
        verbose_name = _("assessment template")
        verbose_name_plural = _("assessment templates")

    def __str__(self):
        return self.title


class CatalogGroup(models.Model):
    """What families and sub-groups share: an OSCAL group of one template, in catalog order.
    Group ids are unique across a whole catalog, so families and sub-groups are one id space."""

    oscal_id = models.CharField(max_length=100)
    # Text, not a bounded column: catalogs have titles of any length.
    title = models.TextField(_("title"))
    #: The catalog's order across the whole tree (a parent comes before its children).
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["template", "sort_order"]
        unique_together = [("template", "oscal_id")]

    def __str__(self):
        return self.title


class ControlFamily(CatalogGroup):
    """A top group of a catalog, e.g. "Access Control" (ac), or a chapter of an ISO-style
    catalog. Its controls include those of the sub-groups below it (``ControlSubgroup``), so a
    family's score and filter cover the whole chapter."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="families")

    class Meta(CatalogGroup.Meta):
        verbose_name = _("control family")
        verbose_name_plural = _("control families")


class ControlSubgroup(CatalogGroup):
    """A group below a family (a section of a chapter, a topic of a section), kept as the
    catalog nests it so the dashboard folds it under its family instead of listing every
    section as a family of its own. NIST SP 800-53 catalogs have none."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="subgroups")
    family = models.ForeignKey(ControlFamily, on_delete=models.CASCADE, related_name="subgroups")
    #: The sub-group it sits in; empty for a sub-group directly under its family.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="children", null=True, blank=True
    )

    class Meta(CatalogGroup.Meta):
        verbose_name = _("control sub-group")
        verbose_name_plural = _("control sub-groups")


class ControlQuerySet(models.QuerySet):
    def in_force(self):
        """What the catalog asks for today: neither withdrawn by it nor retired from it."""
        return self.filter(withdrawn=False, retired_at__isnull=True)


class Control(ClusterableModel):
    """A control or a control enhancement (``parent`` set) of a template.

    A control the catalog marks withdrawn is kept (readers see where its content went) but has
    no improvement actions and counts nowhere. A control a re-imported catalog no longer holds
    is retired, never deleted: assessments made before keep it, marked, with its history; new
    assessments leave it out.
    """

    objects = ControlQuerySet.as_manager()

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="controls")
    #: The top group the control is in, however deep: what scores and reports group by.
    family = models.ForeignKey(
        ControlFamily, on_delete=models.CASCADE, related_name="controls", null=True, blank=True
    )
    #: The nearest group when it is below the family; empty for a control directly in its
    #: family (every NIST SP 800-53 control).
    subgroup = models.ForeignKey(
        ControlSubgroup,
        on_delete=models.SET_NULL,
        related_name="controls",
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="enhancements", null=True, blank=True
    )
    oscal_id = models.CharField(_("control id"), max_length=100)
    label = models.CharField(_("label"), max_length=100, blank=True)
    # Text, not a bounded column: catalogs have titles of any length, and PostgreSQL would
    # refuse what SQLite silently stores.
    title = models.TextField(_("title"))
    sort_order = models.PositiveIntegerField(default=0)
    statement = models.TextField(_("statement"), blank=True)
    guidance = models.TextField(_("guidance"), blank=True)
    parameters = models.JSONField(_("parameters"), default=list, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    #: Where a withdrawn control's content went: ``[{"rel", "href", "control_id"}]``.
    withdrawn_to = models.JSONField(_("withdrawn to"), default=list, blank=True)
    retired_at = models.DateTimeField(
        _("retired"),
        null=True,
        blank=True,
        help_text=_("When a re-imported catalog no longer held this control."),
    )

    responsibility = models.CharField(
        _("responsibility"),
        max_length=16,
        choices=Responsibility.choices,
        default=Responsibility.CUSTOMER,
    )
    service = models.ForeignKey(
        "cms.Service",
        verbose_name=_("cloud service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A provider's control weighs as much as a customer action of the default kind: scores
    # mixing both stay balanced (``points.DEFAULT_PROVIDER_POINTS``).
    provider_points = models.PositiveIntegerField(
        _("provider points"),
        default=DEFAULT_PROVIDER_POINTS,
        help_text=_("What the provider's side of this control counts in the compliance score."),
    )
    implementation_description = models.TextField(
        _("provider's implementation"),
        blank=True,
        help_text=_("Published to customers for provider-managed and shared controls."),
    )
    tested_on = models.DateField(_("test date"), null=True, blank=True)
    tester = models.CharField(_("tested by"), max_length=200, blank=True)
    test_result = models.CharField(
        _("test result"),
        max_length=16,
        choices=ProviderTestResult.choices,
        default=ProviderTestResult.NOT_TESTED,
    )

    panels = [
        FieldPanel("oscal_id", read_only=True),
        FieldPanel("title", read_only=True),
        FieldPanel("responsibility"),
        FieldPanel("service"),
        MultiFieldPanel(
            [
                FieldPanel("implementation_description"),
                FieldPanel("tested_on"),
                FieldPanel("tester"),
                FieldPanel("test_result"),
                FieldPanel("provider_points"),
            ],
            heading=_("Provider's implementation"),
        ),
        InlinePanel("improvement_actions", label=_("Improvement actions for customers")),
    ]

    class Meta:
        ordering = ["template", "sort_order"]
        unique_together = [("template", "oscal_id")]
        verbose_name = _("control")
        verbose_name_plural = _("controls")

    def __str__(self):
        return f"{self.label or self.oscal_id} {self.title}"

    @property
    def in_force(self) -> bool:
        return not self.withdrawn and self.retired_at is None

    @property
    def provider_side(self) -> bool:
        return self.responsibility in (Responsibility.PROVIDER, Responsibility.SHARED)

    @property
    def customer_side(self) -> bool:
        return self.responsibility in (Responsibility.CUSTOMER, Responsibility.SHARED)


class ImprovementAction(models.Model):
    """What a customer should do for a customer-managed or shared control, worth ``points``:
    what its kind is worth in the points table (``ActionPoints``), or ``points_override``."""

    control = ParentalKey(Control, on_delete=models.CASCADE, related_name="improvement_actions")
    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Stable within the control; assessments of a group share actions by key."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("what to do"), blank=True)
    action_type = models.CharField(
        _("type"), max_length=16, choices=ActionType.choices, default=DEFAULT_KIND[0]
    )
    enforcement = models.CharField(
        _("enforcement"), max_length=16, choices=Enforcement.choices, default=DEFAULT_KIND[1]
    )
    points_override = models.PositiveIntegerField(
        _("points (override)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for what the points table gives this kind of action."),
    )
    #: What the action is worth: kept by ``save`` and by changes of the points table.
    points = models.PositiveIntegerField(_("points"), default=1)
    sort_order = models.PositiveIntegerField(default=0)

    panels = [
        FieldPanel("key"),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("action_type"),
        FieldPanel("enforcement"),
        FieldPanel("points_override"),
    ]

    class Meta:
        ordering = ["control", "sort_order", "pk"]
        unique_together = [("control", "key")]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.points = self.effective_points(ActionPoints.table())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "points"}
        super().save(*args, **kwargs)

    def effective_points(self, table: dict[tuple[str, str], int]) -> int:
        if self.points_override is not None:
            return self.points_override
        return table[(self.action_type, self.enforcement)]

    @property
    def shared_key(self) -> str:
        """The same action in two templates (e.g. ac-2 in LOW and in PRIVACY) shares this key."""
        return f"{self.control.oscal_id}/{self.key}"
