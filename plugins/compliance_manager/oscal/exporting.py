"""An assessment as OSCAL assessment results (OSCAL 1.1.2): the reviewed controls, one
observation per assessed action item, and one finding per control with a derived status."""

from __future__ import annotations

import uuid

from django.utils import timezone

from ..models import AssessmentAction
from ..scoring import summarize_assessment

OSCAL_VERSION = "1.1.2"
#: Derived control status -> OSCAL finding state and reason.
FINDING_STATES = {
    "passed": ("satisfied", "pass"),
    "failed": ("not-satisfied", "fail"),
    "in_progress": ("not-satisfied", "other"),
    "not_assessed": ("not-satisfied", "other"),
}


def _iso(moment) -> str:
    return moment.isoformat()


def assessment_results(assessment, plan_href: str) -> dict:
    now = timezone.now()
    summary = summarize_assessment(assessment)
    observations = []
    observation_of_control: dict[int, list[str]] = {}
    for link in (
        # Controls in force only: a retired control's statement is no longer in the catalog.
        AssessmentAction.objects.filter(
            assessment=assessment, control__withdrawn=False, control__retired_at__isnull=True
        )
        .exclude(action_item__testing_status="not_assessed")
        .select_related("action_item")
        .order_by("control__sort_order", "action_item__key")
    ):
        item = link.action_item
        observation_uuid = str(uuid.uuid4())
        observation_of_control.setdefault(link.control_id, []).append(observation_uuid)
        observations.append(
            {
                "uuid": observation_uuid,
                "title": item.title,
                "description": (
                    f"Implementation: {item.get_implementation_status_display()}. "
                    f"Testing: {item.get_testing_status_display()}."
                    + (f" {item.testing_notes}" if item.testing_notes else "")
                ),
                "methods": ["TEST"],
                "collected": _iso(item.updated_at),
            }
        )
    findings = []
    for control in summary.controls:
        if control.status not in FINDING_STATES:
            continue
        state, reason = FINDING_STATES[control.status]
        finding = {
            "uuid": str(uuid.uuid4()),
            "title": f"{control.label} {control.title}",
            "description": f"Control status: {control.status.replace('_', ' ')} "
            f"({control.responsibility}-managed).",
            "target": {
                "type": "statement-id",
                "target-id": f"{control.oscal_id}_smt",
                "status": {"state": state, "reason": reason},
            },
        }
        related = observation_of_control.get(control.control_id)
        if related:
            finding["related-observations"] = [{"observation-uuid": u} for u in related]
        findings.append(finding)
    result = {
        "uuid": str(uuid.uuid4()),
        "title": f"{assessment.title}: compliance score {summary.score.percent}%",
        "description": (
            f"{summary.score.earned} of {summary.score.available} points earned "
            f"({assessment.template.title})."
        ),
        "start": _iso(assessment.created_at),
        "end": _iso(now),
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": c.oscal_id} for c in summary.controls]}
            ]
        },
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    return {
        "assessment-results": {
            "uuid": str(uuid.uuid4()),
            "metadata": {
                "title": f"{assessment.title} assessment results",
                "last-modified": _iso(now),
                "version": now.strftime("%Y%m%d%H%M%S"),
                "oscal-version": OSCAL_VERSION,
                "parties": [
                    {
                        "uuid": str(
                            uuid.uuid5(uuid.NAMESPACE_URL, f"org:{assessment.organization_id}")
                        ),
                        "type": "organization",
                        "name": assessment.organization.name,
                    }
                ],
            },
            "import-ap": {"href": plan_href},
            "results": [result],
        }
    }
