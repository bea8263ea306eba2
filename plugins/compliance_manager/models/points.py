"""What an improvement action is worth: its kind (type × enforcement) and the points table.

An action's points follow from its kind through one table that staff may edit (More › Admin ›
Action points); an action may instead carry an explicit number of its own (``points_override``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionType(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    DETECTIVE = "detective", _("Detective")
    CORRECTIVE = "corrective", _("Corrective")


class Enforcement(models.TextChoices):
    MANDATORY = "mandatory", _("Mandatory")
    DISCRETIONARY = "discretionary", _("Discretionary")


#: The points each kind is worth until staff change the table: the published scoring scheme of
#: the leading commercial compliance manager (preventive actions weigh most, and a mandatory
#: action three times a discretionary one, except for preventive ones).
DEFAULT_POINTS: dict[tuple[str, str], int] = {
    (ActionType.PREVENTIVE, Enforcement.MANDATORY): 27,
    (ActionType.PREVENTIVE, Enforcement.DISCRETIONARY): 9,
    (ActionType.DETECTIVE, Enforcement.MANDATORY): 3,
    (ActionType.DETECTIVE, Enforcement.DISCRETIONARY): 1,
    (ActionType.CORRECTIVE, Enforcement.MANDATORY): 3,
    (ActionType.CORRECTIVE, Enforcement.DISCRETIONARY): 1,
}

#: The kind of an action nobody classified, imported controls' actions included: most controls
#: of a catalog are safeguards an organization must have in place.
DEFAULT_KIND = (ActionType.PREVENTIVE, Enforcement.MANDATORY)

#: What a provider-managed control counts unless staff set its points: as much as a customer
#: action of the default kind, so that neither side's controls drown the other's in a score.
DEFAULT_PROVIDER_POINTS = DEFAULT_POINTS[DEFAULT_KIND]

#: A kind's points are at most this (a typo of a few zeros would drown every other action).
MAX_POINTS = 1000


def kind_label(action_type: str, enforcement: str) -> str:
    return f"{ActionType(action_type).label} · {Enforcement(enforcement).label}"


class ActionPoints(models.Model):
    """One row of the points table: what every action of a kind is worth (unless overridden).

    Six rows, one per kind; a kind without a row is worth its ``DEFAULT_POINTS``.
    """

    action_type = models.CharField(_("type"), max_length=16, choices=ActionType.choices)
    enforcement = models.CharField(_("enforcement"), max_length=16, choices=Enforcement.choices)
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        ordering = ["pk"]
        unique_together = [("action_type", "enforcement")]
        verbose_name = _("action points")
        verbose_name_plural = _("action points")

    def __str__(self):
        return f"{kind_label(self.action_type, self.enforcement)}: {self.points}"

    @classmethod
    def table(cls) -> dict[tuple[str, str], int]:
        """Points per (type, enforcement), every kind present, in one query."""
        stored = {
            (action_type, enforcement): points
            for action_type, enforcement, points in cls.objects.values_list(
                "action_type", "enforcement", "points"
            )
        }
        return {kind: stored.get(kind, default) for kind, default in DEFAULT_POINTS.items()}
