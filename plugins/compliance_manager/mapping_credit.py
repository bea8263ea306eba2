"""Credit across frameworks: work an organization did for a control in one assessment counts
toward the controls mapped to it in its other assessments.

The rules (issue 19 §2):

- What gives credit: a control whose customer actions in one assessment are all done: every
  in-scope action implemented (or given an alternative implementation) *and* passed by an
  assessor, at least one of them. Half the work on an equivalent control is not the whole of
  this one, so a partly done control credits nothing. A map with several controls on the giving
  side credits only when all of them are done in the same assessment.
- Which relationships carry credit: ``equal-to`` and ``equivalent-to`` both ways; a
  ``superset-of`` source credits its target (it asks for at least as much), and a
  ``subset-of`` target credits its source, for the same reason. The other way round a subset
  covers only part of a superset, and ``intersects-with`` only part of each other: no credit.
- What credit does: the in-scope actions of the credited control that are not done count as
  done (their points earned, the control passed). It never overrides a result of the
  assessment's own: an action found failed stays failed, an out-of-scope one stays out of scope.
- Where credit comes from: only the same organization's *other* assessments, and only their own
  work: credit received is not passed on (no chains, no cycles). An action item is never credit
  to a control it already counts for (assessments of a group share items).
- Counted once: however many controls, maps or assessments credit a control, its actions count
  their own points once; the sources are only listed.

Credit is computed when scores are, from the current statuses, so it disappears as soon as the
source action is no longer implemented and passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from .models import (
    Assessment,
    AssessmentAction,
    ControlMap,
    MappedControl,
    MappingRelationship,
    MapSide,
    Responsibility,
)

#: Relationships under which the sources' work credits the targets, and the targets' the sources.
CREDITS_TARGETS = {
    MappingRelationship.EQUAL_TO,
    MappingRelationship.EQUIVALENT_TO,
    MappingRelationship.SUPERSET_OF,
}
CREDITS_SOURCES = {
    MappingRelationship.EQUAL_TO,
    MappingRelationship.EQUIVALENT_TO,
    MappingRelationship.SUBSET_OF,
}
#: How the giving control relates to the credited one, read from the credited control's side.
REVERSED = {
    MappingRelationship.SUBSET_OF: MappingRelationship.SUPERSET_OF,
    MappingRelationship.SUPERSET_OF: MappingRelationship.SUBSET_OF,
}


@dataclass(frozen=True)
class CreditSource:
    """One done action that credits a control: where it was done and why it counts here."""

    assessment_id: int
    assessment_title: str
    control_id: int
    control_label: str
    control_title: str
    action_item_id: int
    action_title: str
    #: The giving control's relationship to the credited one (``MappingRelationship``).
    relationship: str

    @property
    def relationship_label(self) -> str:
        return MappingRelationship(self.relationship).label


@dataclass(frozen=True)
class CreditedAction:
    """An action of a credited control, counted as done: worth what it would earn done."""

    own: object

    @property
    def earned(self) -> int:
        return self.own.available

    @property
    def available(self) -> int:
        return self.own.available

    @property
    def status(self) -> str:
        return "passed"

    @property
    def kind(self):
        # The score breakdown by kind of action counts it where the action belongs.
        return getattr(self.own, "kind", None)


def can_take_credit(part) -> bool:
    """An own action credit fills in: in scope, not done, and not found failed."""
    return part.in_scope and not part.earned and part.status != "failed"


@dataclass
class _Edge:
    """One direction of a map that carries credit: ``giving`` done credits ``credited``."""

    giving: frozenset[int]
    credited: frozenset[int]
    relationship: str


@dataclass
class _ControlInfo:
    template_id: int
    label: str
    title: str
    takes_part: bool  # in force and with a customer side: its actions count somewhere


@dataclass
class _Work:
    """An assessment's action items under one control."""

    items: list[tuple[int, str, object]] = field(default_factory=list)  # (id, title, state)

    def done_items(self) -> list[tuple[int, str]] | None:
        """The done items if the control's work is complete, else None."""
        in_scope = [(pk, title, state) for pk, title, state in self.items if state.in_scope]
        if not in_scope or not all(state.earned for _pk, _title, state in in_scope):
            return None
        return [(pk, title) for pk, title, _state in in_scope]


def credits_for(
    assessments: Iterable[Assessment], action_state: type
) -> dict[int, dict[int, list[CreditSource]]]:
    """For each assessment: control pk → the sources crediting it. Two queries, however many
    assessments, controls and maps (one when no map reaches their templates).

    ``action_state`` is ``scoring.ActionState`` (passed in: the scoring calls this module), the
    score of one action from its points and statuses."""
    targets = {assessment.pk: assessment for assessment in assessments}
    if not targets:
        return {}
    edges, controls = _edges_into({a.template_id for a in targets.values()})
    if not edges:
        return {}
    giving_ids = {pk for edge in edges for pk in edge.giving if controls[pk].takes_part}
    credited_ids = {pk for edge in edges for pk in edge.credited}
    work: dict[tuple[int, int], _Work] = defaultdict(_Work)
    titles: dict[int, str] = {}
    organizations: dict[int, int] = {}
    own: dict[tuple[int, int], set[int]] = defaultdict(set)
    for row in AssessmentAction.objects.filter(
        Q(assessment_id__in=targets, control_id__in=credited_ids)
        | Q(
            assessment__organization_id__in={a.organization_id for a in targets.values()},
            control_id__in=giving_ids,
        )
    ).values_list(
        "assessment_id",
        "assessment__title",
        "assessment__organization_id",
        "control_id",
        "action_item_id",
        "action_item__title",
        "action_item__points",
        "action_item__implementation_status",
        "action_item__testing_status",
    ):
        assessment_id, title, organization_id, control_id, item_id, item_title, *state = row
        titles[assessment_id], organizations[assessment_id] = title, organization_id
        if assessment_id in targets and control_id in credited_ids:
            own[assessment_id, control_id].add(item_id)
        if control_id in giving_ids:
            work[assessment_id, control_id].items.append(
                (item_id, item_title, action_state(*state))
            )
    done = {key: items for key, w in work.items() if (items := w.done_items()) is not None}
    done_by_assessment: dict[int, set[int]] = defaultdict(set)
    for assessment_id, control_id in done:
        done_by_assessment[assessment_id].add(control_id)
    # What each assessment's finished work gives, by organization (credit never leaves one).
    giving: dict[int, list[tuple[int, _Edge]]] = defaultdict(list)
    for source_id, done_controls in done_by_assessment.items():
        for edge in edges:
            if edge.giving <= done_controls:
                giving[organizations[source_id]].append((source_id, edge))

    result: dict[int, dict[int, list[CreditSource]]] = {}
    for target in targets.values():
        credited: dict[int, dict[tuple, CreditSource]] = defaultdict(dict)
        for source_id, edge in giving[target.organization_id]:
            if source_id == target.pk:
                continue  # credit comes from the organization's *other* assessments
            for control_id in edge.credited:
                info = controls[control_id]
                if info.template_id != target.template_id or not info.takes_part:
                    continue
                mine = own.get((target.pk, control_id), set())
                for giving_id in sorted(edge.giving):
                    giver = controls[giving_id]
                    for item_id, item_title in done[source_id, giving_id]:
                        if item_id in mine:
                            continue  # already counts here as the control's own action
                        source = CreditSource(
                            source_id,
                            titles[source_id],
                            giving_id,
                            giver.label,
                            giver.title,
                            item_id,
                            item_title,
                            edge.relationship,
                        )
                        credited[control_id].setdefault((source_id, giving_id, item_id), source)
        if credited:
            result[target.pk] = {
                control_id: sorted(
                    sources.values(),
                    key=lambda s: (s.assessment_title, s.control_label, s.action_title),
                )
                for control_id, sources in credited.items()
            }
    return result


def control_credits(assessment, control_id: int, action_state: type) -> list[CreditSource]:
    """What credits one control of an assessment (its page lists them)."""
    return credits_for([assessment], action_state).get(assessment.pk, {}).get(control_id, [])


def _edges_into(template_ids: set[int]) -> tuple[list[_Edge], dict[int, _ControlInfo]]:
    """The directions of maps that may credit controls of these templates, and what the
    scoring needs of every control they name. One query."""
    reaching = ControlMap.objects.filter(
        Q(
            relationship__in=CREDITS_TARGETS,
            members__side=MapSide.TARGET,
            members__control__template_id__in=template_ids,
        )
        | Q(
            relationship__in=CREDITS_SOURCES,
            members__side=MapSide.SOURCE,
            members__control__template_id__in=template_ids,
        )
    ).values("pk")
    sides: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    relationships: dict[int, str] = {}
    controls: dict[int, _ControlInfo] = {}
    for row in MappedControl.objects.filter(control_map__in=reaching).values_list(
        "control_map_id",
        "control_map__relationship",
        "side",
        "control_id",
        "control__template_id",
        "control__label",
        "control__oscal_id",
        "control__title",
        "control__withdrawn",
        "control__retired_at",
        "control__responsibility",
    ):
        map_id, relationship, side, control_id, template_id, label, oscal_id, title, *rest = row
        withdrawn, retired_at, responsibility = rest
        sides[map_id][side].add(control_id)
        relationships[map_id] = relationship
        controls[control_id] = _ControlInfo(
            template_id,
            label or oscal_id,
            title,
            takes_part=not withdrawn
            and retired_at is None
            and responsibility != Responsibility.PROVIDER,
        )
    edges = []
    for map_id, members in sides.items():
        sources, targets = frozenset(members[MapSide.SOURCE]), frozenset(members[MapSide.TARGET])
        relationship = relationships[map_id]
        if relationship in CREDITS_TARGETS:
            edges.append(_Edge(sources, targets, relationship))
        if relationship in CREDITS_SOURCES:
            edges.append(_Edge(targets, sources, REVERSED.get(relationship, relationship)))
    return edges, controls


def credit_assessment(assessment, controls: dict, action_state: type) -> None:
    """Fill in the credited controls of an assessment's summary (``scoring.ControlSummary`` by
    control pk): their sources listed, their open actions counted as done."""
    credits = credits_for([assessment], action_state).get(assessment.pk, {})
    for control_id, sources in credits.items():
        summary = controls.get(control_id)
        if summary is None:
            continue  # set aside in this assessment: it counts nowhere
        summary.credits = sources
        # The provider's side of a shared control is the provider's test: credit is for actions.
        summary.parts = [
            CreditedAction(part)
            if isinstance(part, action_state) and can_take_credit(part)
            else part
            for part in summary.parts
        ]


def group_credit(group_ids: Iterable[int], action_state: type) -> dict[int, int]:
    """The points each group earns through credit: each of its items credit fills in counted
    once, however many of its assessments credit it. Three queries (one when nothing is
    mapped)."""
    assessments = list(
        Assessment.objects.filter(group_id__in=list(group_ids)).only(
            "pk", "organization_id", "template_id", "group_id", "title"
        )
    )
    credits = credits_for(assessments, action_state)
    if not credits:
        return {}
    group_of = {a.pk: a.group_id for a in assessments}
    earned: dict[int, int] = defaultdict(int)
    counted: set[int] = set()
    for assessment_id, control_id, item_id, *state in AssessmentAction.objects.filter(
        assessment_id__in=list(credits),
        control_id__in={pk for controls in credits.values() for pk in controls},
    ).values_list(
        "assessment_id",
        "control_id",
        "action_item_id",
        "action_item__points",
        "action_item__implementation_status",
        "action_item__testing_status",
    ):
        part = action_state(*state)
        credited = control_id in credits[assessment_id]
        if not credited or item_id in counted or not can_take_credit(part):
            continue
        counted.add(item_id)
        earned[group_of[assessment_id]] += part.available
    return dict(earned)
