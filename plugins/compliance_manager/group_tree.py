"""An assessment's families with their sub-groups folded under them, each scored from the
assessment's summary: the dashboard's progress by family and its group filter.

A family counts every control below it, however deep; a sub-group the controls of its own
sub-groups too. So choosing a family (or a section) in the filter shows the whole of it, and
its score is the sum of what it holds. NIST SP 800-53 templates have families only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Control, ControlSubgroup
from .scoring import AssessmentSummary, Score

#: How a sub-group is set off under its parent in a drop-down list (options cannot nest).
INDENT = "\u00a0\u00a0\u00a0"


@dataclass
class GroupNode:
    oscal_id: str
    title: str
    #: 0 for a family, 1 for a sub-group directly under it, and so on.
    depth: int = 0
    children: list[GroupNode] = field(default_factory=list)
    #: The assessment's controls in force in this group or below it.
    control_ids: set[int] = field(default_factory=set)
    score: Score = field(default_factory=Score)
    #: Anything to score (a control with a provider side or an action item): what is shown.
    scored: bool = False

    @property
    def option_label(self) -> str:
        return INDENT * self.depth + self.title

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def group_tree(assessment, summary: AssessmentSummary) -> list[GroupNode]:
    """The families with something to score, in the catalog's order, each with the sub-groups
    that have something to score. Two queries, three when the template has sub-groups."""
    template = assessment.template
    families = {
        family.pk: GroupNode(family.oscal_id, family.title) for family in template.families.all()
    }
    subgroups = list(
        template.subgroups.values_list("pk", "oscal_id", "title", "family_id", "parent_id")
    )
    nodes = {pk: GroupNode(oscal_id, title) for pk, oscal_id, title, _family, _parent in subgroups}
    for pk, _oscal_id, _title, family_id, parent_id in subgroups:
        (nodes[parent_id] if parent_id else families[family_id]).children.append(nodes[pk])
    subgroup_of = (
        dict(
            Control.objects.filter(template=template, subgroup__isnull=False).values_list(
                "pk", "subgroup_id"
            )
        )
        if subgroups
        else {}
    )
    parent_of = {pk: parent_id for pk, _oscal_id, _title, _family_id, parent_id in subgroups}
    for control in summary.controls:
        if control.family_id not in families:
            continue  # a control of the catalog's own, in no group
        held_by = [families[control.family_id]]
        subgroup_id = subgroup_of.get(control.control_id)
        while subgroup_id is not None:
            held_by.append(nodes[subgroup_id])
            subgroup_id = parent_of[subgroup_id]
        for node in held_by:
            node.control_ids.add(control.control_id)
            for part in control.parts:
                node.score.add(part)
            node.scored = node.scored or bool(control.parts)
    return [_shown(node, 0) for node in families.values() if node.scored]


def _shown(node: GroupNode, depth: int) -> GroupNode:
    node.depth = depth
    node.children = [_shown(child, depth + 1) for child in node.children if child.scored]
    return node


def find_group(tree: list[GroupNode], oscal_id: str) -> GroupNode | None:
    for family in tree:
        for node in family.walk():
            if node.oscal_id == oscal_id:
                return node
    return None


def group_path(control: Control) -> list[str]:
    """The titles from the control's family down to its nearest group (e.g. chapter, section,
    topic): one query, none for a control directly in its family."""
    if control.family is None:
        return []
    titles = []
    if control.subgroup_id is not None:
        up = {
            pk: (title, parent_id)
            for pk, title, parent_id in ControlSubgroup.objects.filter(
                template_id=control.template_id
            ).values_list("pk", "title", "parent_id")
        }
        subgroup_id = control.subgroup_id
        while subgroup_id is not None:
            title, subgroup_id = up[subgroup_id]
            titles.append(title)
    return [control.family.title, *reversed(titles)]
