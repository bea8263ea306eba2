"""What an assessment's reports say, gathered in a fixed number of queries however many controls
the assessment has: the score and control statuses (``scoring``), the families, and every
action item with its assignee (one query), from which the open and overdue work is counted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from .models import (
    ActionItem,
    AssessmentAction,
    ControlFamily,
    ImplementationStatus,
    Responsibility,
    TestingStatus,
)
from .scoring import DONE, AssessmentSummary, ControlSummary, Score, summarize_assessment


@dataclass(frozen=True)
class FamilyProgress:
    #: None for the controls of no family.
    family_id: int | None
    title: str
    score: Score
    controls: int


@dataclass(frozen=True)
class AssigneeLoad:
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class OverdueItem:
    control_label: str
    title: str
    assignee: str
    due_date: date

    def days_late(self, today: date) -> int:
        return (today - self.due_date).days


@dataclass
class ReportData:
    assessment: object
    summary: AssessmentSummary
    today: date
    families: list[FamilyProgress]
    #: Everyone with open items, most open first; ``unassigned`` counts the open items of no one.
    assignees: list[AssigneeLoad]
    unassigned: int
    unassigned_overdue: int
    #: Open items past their due date, the longest overdue first.
    overdue: list[OverdueItem]
    items_by_control: dict[int, list[ActionItem]] = field(default_factory=dict)

    @property
    def open_items(self) -> int:
        return sum(load.open for load in self.assignees) + self.unassigned


def is_open(item: ActionItem) -> bool:
    """Work still to do: in scope, and not both implemented and passed by an assessor."""
    if (
        item.implementation_status == ImplementationStatus.OUT_OF_SCOPE
        or item.testing_status == TestingStatus.OUT_OF_SCOPE
    ):
        return False
    return not (item.implementation_status in DONE and item.testing_status == TestingStatus.PASSED)


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def items_by_control(assessment) -> dict[int, list[ActionItem]]:
    """The assessment's action items under each control, with their assignees: one query."""
    grouped: dict[int, list[ActionItem]] = {}
    for link in (
        AssessmentAction.objects.filter(assessment=assessment)
        .select_related("action_item__assignee")
        .order_by("action_item__key")
    ):
        grouped.setdefault(link.control_id, []).append(link.action_item)
    return grouped


def family_progress(assessment, summary: AssessmentSummary) -> list[FamilyProgress]:
    """Each family's points, in catalog order; controls of no family last, as "Other"."""
    controls = Counter(control.family_id for control in summary.controls)
    titles = dict(
        ControlFamily.objects.filter(pk__in=[pk for pk in controls if pk is not None])
        .order_by("sort_order", "pk")
        .values_list("pk", "title")
    )
    keys: list[int | None] = list(titles)
    if None in controls:
        keys.append(None)
    return [
        FamilyProgress(
            key, titles.get(key, ""), summary.by_family.get(key, Score()), controls.get(key, 0)
        )
        for key in keys
    ]


def counted_items(
    summary: AssessmentSummary, grouped: dict[int, list[ActionItem]]
) -> list[ActionItem]:
    """The items the score counts: under controls in force for this assessment that ask the
    customer for something (the same rule as ``summarize_assessment``)."""
    controls: dict[int, ControlSummary] = {c.control_id: c for c in summary.controls}
    return [
        item
        for control_id, items in grouped.items()
        if control_id in controls and controls[control_id].responsibility != Responsibility.PROVIDER
        for item in items
    ]


def gather(assessment, today: date | None = None) -> ReportData:
    today = today or timezone.localdate()
    summary = summarize_assessment(assessment)
    grouped = items_by_control(assessment)
    open_by_person: Counter = Counter()
    overdue_by_person: Counter = Counter()
    names: dict[int, str] = {}
    unassigned = unassigned_overdue = 0
    overdue: list[OverdueItem] = []
    for item in counted_items(summary, grouped):
        if not is_open(item):
            continue
        late = item.due_date is not None and item.due_date < today
        if item.assignee_id is None:
            unassigned += 1
            unassigned_overdue += late
        else:
            names[item.assignee_id] = person(item.assignee)
            open_by_person[item.assignee_id] += 1
            overdue_by_person[item.assignee_id] += late
        if late:
            overdue.append(
                OverdueItem(item.control_label, item.title, person(item.assignee), item.due_date)
            )
    assignees = sorted(
        (
            AssigneeLoad(names[pk], count, overdue_by_person[pk])
            for pk, count in open_by_person.items()
        ),
        key=lambda load: (-load.open, -load.overdue, load.name.casefold()),
    )
    overdue.sort(key=lambda item: (item.due_date, item.control_label, item.title))
    return ReportData(
        assessment,
        summary,
        today,
        family_progress(assessment, summary),
        assignees,
        unassigned,
        unassigned_overdue,
        overdue,
        grouped,
    )
