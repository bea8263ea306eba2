"""Keeping points in step with the points table and with the kind of each improvement action.

An action's points, and those of the action items made from it, are stored (the score reads
them in its two queries); they are derived again whenever what they follow changes: the table
(``save_table``) or an action's kind or override (``follow_action``, on every save). Both are
idempotent: running them again changes nothing and touches no row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import ActionItem, ActionPoints, ImprovementAction


@dataclass(frozen=True)
class Recomputed:
    actions: int
    action_items: int


@transaction.atomic
def save_table(points: dict[tuple[str, str], int]) -> Recomputed:
    """Store the points of each kind given and derive every action's and item's points again."""
    for (action_type, enforcement), value in points.items():
        ActionPoints.objects.update_or_create(
            action_type=action_type, enforcement=enforcement, defaults={"points": value}
        )
    return recompute_points()


def recompute_points() -> Recomputed:
    """Give every action and action item without an override what its kind is worth now:
    twelve updates however many rows, each touching only the rows whose points differ."""
    table = ActionPoints.table()
    actions = items = 0
    for (action_type, enforcement), value in table.items():
        kind = {"action_type": action_type, "enforcement": enforcement}
        actions += (
            ImprovementAction.objects.filter(points_override__isnull=True, **kind)
            .exclude(points=value)
            .update(points=value)
        )
        items += (
            ActionItem.objects.filter(points_override__isnull=True, **kind)
            .exclude(points=value)
            .update(points=value)
        )
    return Recomputed(actions, items)


def follow_action(action: ImprovementAction) -> int:
    """The action items made from ``action`` (in every group whose assessments ask for it) take
    its kind, override and points. An item two templates share follows the one saved last."""
    return (
        ActionItem.objects.filter(key=action.shared_key, links__control_id=action.control_id)
        .exclude(
            action_type=action.action_type,
            enforcement=action.enforcement,
            points_override=action.points_override,
            points=action.points,
        )
        .update(
            action_type=action.action_type,
            enforcement=action.enforcement,
            points_override=action.points_override,
            points=action.points,
        )
    )


def action_saved(sender, instance: ImprovementAction, raw: bool = False, **kwargs) -> None:
    """post_save of ImprovementAction (connected in ``apps``); fixtures (``raw``) are loaded as
    they are."""
    if not raw:
        follow_action(instance)
