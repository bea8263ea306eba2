"""The compliance score and the status of each control, derived from action items and the
provider's test results.

Score = points earned / points available. A customer action earns its points once it is
implemented (or has an alternative implementation) and an assessor passed it; out-of-scope
actions count for nothing either way. What an action is worth follows from its kind (type ×
enforcement) through the points table, unless staff set its points (``weighting``).
A provider-managed (or shared) control counts its provider points as the provider's test result
says: earned if passed, available but not earned otherwise.
Controls the catalog withdrew, or a later import retired, count for nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .mapping_credit import credit_assessment, group_credit
from .models import (
    ActionItem,
    AssessmentAction,
    Control,
    ImplementationStatus,
    ProviderTestResult,
    Responsibility,
    TestingStatus,
)

DONE = {ImplementationStatus.IMPLEMENTED, ImplementationStatus.ALTERNATIVE}
FAILED = {TestingStatus.FAILED_LOW, TestingStatus.FAILED_MEDIUM, TestingStatus.FAILED_HIGH}

#: Derived control statuses, in the order the dashboard shows them.
CONTROL_STATUSES = {
    "passed": _("Passed"),
    "failed": _("Failed"),
    "in_progress": _("In progress"),
    "not_assessed": _("Not assessed"),
    "out_of_scope": _("Out of scope"),
}


@dataclass(frozen=True)
class ActionState:
    points: int
    implementation_status: str
    testing_status: str
    #: (type, enforcement): what the score breakdown groups customer actions by.
    kind: tuple[str, str] | None = None

    @property
    def in_scope(self) -> bool:
        return (
            self.implementation_status != ImplementationStatus.OUT_OF_SCOPE
            and self.testing_status != TestingStatus.OUT_OF_SCOPE
        )

    @property
    def earned(self) -> int:
        passed = self.testing_status == TestingStatus.PASSED
        return self.points if self.in_scope and passed and self.implementation_status in DONE else 0

    @property
    def available(self) -> int:
        return self.points if self.in_scope else 0

    @property
    def status(self) -> str:
        if not self.in_scope:
            return "out_of_scope"
        if self.testing_status in FAILED:
            return "failed"
        if self.earned:
            return "passed"
        if (
            self.implementation_status != ImplementationStatus.NOT_IMPLEMENTED
            or self.testing_status == TestingStatus.PASSED
        ):
            return "in_progress"
        return "not_assessed"


def status_condition(status: str, prefix: str = "") -> Q:
    """The action items whose ``ActionState.status`` is ``status``, as a condition the database
    applies (``prefix``: the path to the item, e.g. ``"action_item__"``), so that a list
    filtered by status pages in SQL instead of reading every item. The same rules as
    ``ActionState.status``; a test checks both agree on every combination."""

    def field(name: str) -> str:
        return f"{prefix}{name}"

    out_of_scope = Q(**{field("implementation_status"): ImplementationStatus.OUT_OF_SCOPE}) | Q(
        **{field("testing_status"): TestingStatus.OUT_OF_SCOPE}
    )
    failed = Q(**{f"{field('testing_status')}__in": FAILED})
    passed = Q(
        **{
            field("testing_status"): TestingStatus.PASSED,
            f"{field('implementation_status')}__in": DONE,
            f"{field('points')}__gt": 0,
        }
    )
    started = ~Q(**{field("implementation_status"): ImplementationStatus.NOT_IMPLEMENTED}) | Q(
        **{field("testing_status"): TestingStatus.PASSED}
    )
    conditions = {
        "out_of_scope": out_of_scope,
        "failed": ~out_of_scope & failed,
        "passed": ~out_of_scope & ~failed & passed,
        "in_progress": ~out_of_scope & ~failed & ~passed & started,
        "not_assessed": ~out_of_scope & ~failed & ~passed & ~started,
    }
    return conditions[status]


@dataclass(frozen=True)
class ProviderState:
    points: int
    test_result: str

    @property
    def earned(self) -> int:
        return self.points if self.test_result == ProviderTestResult.PASSED else 0

    @property
    def available(self) -> int:
        return self.points

    @property
    def status(self) -> str:
        return {ProviderTestResult.PASSED: "passed", ProviderTestResult.FAILED: "failed"}.get(
            self.test_result, "not_assessed"
        )


@dataclass
class Score:
    earned: int = 0
    available: int = 0

    def add(self, part) -> None:
        self.earned += part.earned
        self.available += part.available

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.available) if self.available else 0


def control_status(parts: Iterable[ActionState | ProviderState]) -> str:
    """Failed if any part failed; passed if every in-scope part passed; in progress if some
    work is done; out of scope if nothing is in scope."""
    statuses = [part.status for part in parts]
    in_scope = [s for s in statuses if s != "out_of_scope"]
    if not in_scope:
        return "out_of_scope" if statuses else "not_assessed"
    if "failed" in in_scope:
        return "failed"
    if all(s == "passed" for s in in_scope):
        return "passed"
    if any(s in ("passed", "in_progress") for s in in_scope):
        return "in_progress"
    return "not_assessed"


@dataclass
class ControlSummary:
    control_id: int
    oscal_id: str
    label: str
    title: str
    family_id: int | None
    responsibility: str
    parts: list = field(default_factory=list)
    assignee_ids: set = field(default_factory=set)
    withdrawn: bool = False
    #: Where a withdrawn control's content went: ``{"rel", "href", "control_id"}`` and, for
    #: controls set aside, the ``pk`` and ``label`` of the control named.
    withdrawn_to: list = field(default_factory=list)
    retired_at: datetime | None = None
    #: Where credit from the organization's other assessments comes from, through mappings
    #: between frameworks (``mapping_credit.CreditSource``); empty for most controls.
    credits: list = field(default_factory=list)

    @property
    def status(self) -> str:
        return control_status(self.parts)


@dataclass
class AssessmentSummary:
    score: Score
    #: The controls the catalog asks for: what the score, the reports and the export cover.
    controls: list[ControlSummary]
    by_family: dict[int | None, Score]
    by_status: Counter
    #: Shown, greyed, and counted nowhere: controls the catalog withdrew, and those a later
    #: import retired after this assessment was made (their action items and history kept).
    set_aside: list[ControlSummary] = field(default_factory=list)
    #: Customer actions' points per (type, enforcement); ``None``: the provider's controls.
    by_kind: dict[tuple[str, str] | None, Score] = field(default_factory=dict)


def summarize_assessment(assessment) -> AssessmentSummary:
    """Score, control statuses and per-family progress in two queries, however big (and two
    for the credit mappings between frameworks give its controls, ``mapping_credit``)."""
    controls: dict[int, ControlSummary] = {}
    set_aside: list[ControlSummary] = []
    by_oscal_id: dict[str, tuple[int, str]] = {}
    for row in (
        Control.objects.filter(template_id=assessment.template_id)
        .order_by("sort_order")
        .values_list(
            "pk",
            "oscal_id",
            "label",
            "title",
            "family_id",
            "responsibility",
            "provider_points",
            "test_result",
            "withdrawn",
            "withdrawn_to",
            "retired_at",
        )
    ):
        pk, oscal_id, label, title, family_id, responsibility, points, result, *lifecycle = row
        withdrawn, withdrawn_to, retired_at = lifecycle
        by_oscal_id[oscal_id] = (pk, label)
        summary = ControlSummary(
            pk,
            oscal_id,
            label,
            title,
            family_id,
            responsibility,
            withdrawn=withdrawn,
            withdrawn_to=withdrawn_to,
            retired_at=retired_at,
        )
        if withdrawn or retired_at is not None:
            # Retired before this assessment was made: it never was part of it.
            if withdrawn or retired_at > assessment.created_at:
                set_aside.append(summary)
            continue
        if responsibility in (Responsibility.PROVIDER, Responsibility.SHARED):
            summary.parts.append(ProviderState(points, result))
        controls[pk] = summary
    for summary in set_aside:
        summary.withdrawn_to = [
            link_target(link, by_oscal_id.get(link["control_id"])) for link in summary.withdrawn_to
        ]
    links = AssessmentAction.objects.filter(assessment=assessment).values_list(
        "control_id",
        "action_item__points",
        "action_item__implementation_status",
        "action_item__testing_status",
        "action_item__assignee_id",
        "action_item__action_type",
        "action_item__enforcement",
    )
    for control_id, points, implementation, testing, assignee_id, *kind in links:
        summary = controls.get(control_id)
        if summary is None or summary.responsibility == Responsibility.PROVIDER:
            continue
        summary.parts.append(ActionState(points, implementation, testing, tuple(kind)))
        if assignee_id:
            summary.assignee_ids.add(assignee_id)
    credit_assessment(assessment, controls, ActionState)
    score = Score()
    by_family: dict[int | None, Score] = defaultdict(Score)
    by_status: Counter = Counter()
    by_kind: dict[tuple[str, str] | None, Score] = defaultdict(Score)
    for summary in controls.values():
        for part in summary.parts:
            score.add(part)
            by_family[summary.family_id].add(part)
            by_kind[getattr(part, "kind", None)].add(part)
        by_status[summary.status] += 1
    return AssessmentSummary(
        score, list(controls.values()), dict(by_family), by_status, set_aside, dict(by_kind)
    )


def link_target(link: dict, target: tuple[int, str] | None) -> dict:
    """A withdrawn control's link with the pk and label of the control it names, if any."""
    pk, label = target or (None, link.get("family") or link["control_id"] or link["href"])
    return {**link, "pk": pk, "label": label}


def group_score(group) -> Score:
    return group_scores([group])[group.pk]


def group_scores(groups) -> dict[int, Score]:
    """Each group's score, in two queries for any number of groups (and three for the credit
    its assessments receive through mappings, ``mapping_credit``). A group counts each shared
    action item once, and each provider control once per control id (the same control in two
    templates is one provider commitment)."""
    ids = [group.pk for group in groups]
    scores: dict[int, Score] = {pk: Score() for pk in ids}
    # Exists, not a join and DISTINCT: a join repeats an item once per link, and DISTINCT over
    # these columns alone would merge two different items that happen to look the same.
    # Only links under controls in force: a withdrawn or retired control counts nowhere.
    linked = AssessmentAction.objects.filter(
        action_item=OuterRef("pk"), control__withdrawn=False, control__retired_at__isnull=True
    )
    for group_id, points, implementation, testing in (
        ActionItem.objects.filter(Exists(linked), group_id__in=ids)
        .order_by()
        .values_list("group_id", "points", "implementation_status", "testing_status")
    ):
        scores[group_id].add(ActionState(points, implementation, testing))
    seen: set[tuple[int, str]] = set()
    for group_id, oscal_id, points, result in (
        Control.objects.in_force()
        .filter(
            template__assessments__group_id__in=ids,
            responsibility__in=[Responsibility.PROVIDER, Responsibility.SHARED],
        )
        .order_by("template__assessments__group_id", "oscal_id", "pk")
        .values_list(
            "template__assessments__group_id", "oscal_id", "provider_points", "test_result"
        )
    ):
        if (group_id, oscal_id) not in seen:
            seen.add((group_id, oscal_id))
            scores[group_id].add(ProviderState(points, result))
    for group_id, earned in group_credit(ids, ActionState).items():
        scores[group_id].earned += earned
    return scores
