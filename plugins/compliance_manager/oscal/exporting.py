"""An assessment as OSCAL assessment results (OSCAL 1.1.2), valid against NIST's JSON schema.

- ``back-matter`` holds two resources: the catalog the assessment's template was imported from
  (its title, version and source file with the file's SHA-256), which ``reviewed-controls``
  links to; and the assessment plan, i.e. the assessment as planned in the portal (template,
  controls in force, their action items), linking to its dashboard. ``import-ap`` points at that
  resource (``#<uuid>``): OSCAL lets an import name a back-matter resource of the same document.
- One observation per action item an assessor tested or someone attached evidence to; each
  evidence file is a ``relevant-evidence`` whose ``href`` is the portal's evidence download,
  which checks the reader's organization like every other Compliance Manager page.
- One finding per control an assessor came to a conclusion on: satisfied when every part
  passed, not satisfied when one failed or only some passed. OSCAL's objective status is
  "satisfied" or "not-satisfied" and nothing else, so a control nobody has assessed yet has no
  finding (it is still in ``reviewed-controls``; the result's remarks count such controls).

Observation and finding UUIDs are derived from the assessment and their subject (UUID v5), so
the same item or control keeps its UUID from one export to the next, as OSCAL asks.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from ..models import AssessmentAction, Evidence, Responsibility, TestingStatus
from ..scoring import summarize_assessment

OSCAL_VERSION = "1.1.2"
#: Derived control status -> OSCAL objective status state and reason, for controls assessed.
FINDING_STATES = {
    "passed": ("satisfied", "pass"),
    "failed": ("not-satisfied", "fail"),
    "in_progress": ("not-satisfied", "other"),
}
#: A part of a control (an action, the provider's test) an assessor came to a conclusion on.
CONCLUDED = {"passed", "failed"}
MEDIA_TYPES = {".json": "application/json", ".yaml": "application/yaml", ".yml": "application/yaml"}


def _iso(moment) -> str:
    return moment.isoformat()


def _uuid(*parts) -> str:
    """A stable UUID (v5) for the subject that ``parts`` name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(part) for part in parts)))


def assessed(control) -> bool:
    """Whether an assessor concluded on some in-scope part of the control (a test passed or
    failed); a control whose work is only under way, or not begun, is not assessed yet."""
    return any(part.status in CONCLUDED for part in control.parts)


def catalog_resource(template) -> dict:
    resource = {
        "uuid": _uuid("urn:uuid", template.oscal_uuid, "catalog"),
        "title": template.title,
        "description": (
            f"The control catalog this assessment's controls come from: OSCAL catalog "
            f"{template.oscal_uuid}"
            + (f" (OSCAL {template.oscal_version})" if template.oscal_version else "")
            + f", imported into the portal on {template.imported_at:%Y-%m-%d}."
        ),
        "props": [{"name": "type", "value": "standard"}],
    }
    if template.version.strip():
        resource["props"].append({"name": "version", "value": template.version.strip()})
    source = template.source_name.strip()
    if source:
        rlink = {"href": quote(source)}
        media_type = MEDIA_TYPES.get(
            "." + source.rsplit(".", 1)[-1].lower(), mimetypes.guess_type(source)[0]
        )
        if media_type:
            rlink["media-type"] = media_type
        if template.source_sha256:
            rlink["hashes"] = [{"algorithm": "SHA-256", "value": template.source_sha256}]
        resource["rlinks"] = [rlink]
        resource["citation"] = {
            "text": " ".join(
                part for part in (template.title, template.version.strip(), f"({source})") if part
            )
        }
    return resource


def plan_resource(assessment, portal_url: str, dashboard_url: str, controls: int) -> dict:
    return {
        # The portal and the assessment, not the dashboard's URL: that one has a language.
        "uuid": _uuid(portal_url, "compliance-assessment-plan", assessment.pk),
        "title": f"Assessment plan: {assessment.title}",
        "description": (
            f"The assessment as planned in the portal for {assessment.organization.name} "
            f"(group {assessment.group.name}): the {controls} controls in force of "
            f"{assessment.template.title} and the action items they ask for."
        ),
        "props": [{"name": "type", "value": "plan"}],
        "rlinks": [{"href": dashboard_url, "media-type": "text/html"}],
    }


def evidence_of(assessment, absolute_url: Callable[[str], str]) -> dict[int, list[dict]]:
    """Each action item's evidence as OSCAL relevant evidence: one query."""
    evidence: dict[int, list[dict]] = {}
    for file in Evidence.objects.filter(action_item__links__assessment=assessment).order_by(
        "uploaded_at", "pk"
    ):
        evidence.setdefault(file.action_item_id, []).append(
            {
                "href": absolute_url(reverse("compliance:evidence", args=[file.pk])),
                "description": (
                    f"{file.original_name} ({file.size} bytes), uploaded by "
                    f"{file.uploaded_by_label} on {file.uploaded_at:%Y-%m-%d}."
                ),
                "remarks": f"SHA-256: {file.sha256}",
            }
        )
    return evidence


def observations_of(assessment, summary, evidence, scope: str):
    """One observation per action item tested or with evidence, by control: (observations,
    observation UUIDs by control pk)."""
    customer_controls = {
        c.control_id for c in summary.controls if c.responsibility != Responsibility.PROVIDER
    }
    observations = []
    by_control: dict[int, list[str]] = {}
    for link in (
        AssessmentAction.objects.filter(assessment=assessment)
        .select_related("action_item")
        .order_by("control__sort_order", "action_item__key")
    ):
        item = link.action_item
        tested = item.testing_status != TestingStatus.NOT_ASSESSED
        files = evidence.get(item.pk)
        if link.control_id not in customer_controls or not (tested or files):
            continue
        observation = {
            "uuid": _uuid(scope, "action-item", item.pk),
            "title": item.title,
            "description": (
                f"Implementation: {item.get_implementation_status_display()}. "
                f"Testing: {item.get_testing_status_display()}."
                + (f" {item.testing_notes}" if item.testing_notes else "")
            ),
            # An assessor's test; evidence alone is documentation to examine.
            "methods": ["TEST" if tested else "EXAMINE"],
            "collected": _iso(item.updated_at),
        }
        if files:
            observation["relevant-evidence"] = files
        observations.append(observation)
        by_control.setdefault(link.control_id, []).append(observation["uuid"])
    return observations, by_control


def finding(control, scope: str, observation_uuids: list[str] | None) -> dict:
    state, reason = FINDING_STATES[control.status]
    concluded = [part for part in control.parts if part.status in CONCLUDED]
    result = {
        "uuid": _uuid(scope, "control", control.oscal_id),
        "title": f"{control.label} {control.title}",
        "description": f"Control status: {control.status.replace('_', ' ')} "
        f"(responsibility: {control.responsibility}).",
        "target": {
            "type": "statement-id",
            "target-id": f"{control.oscal_id}_smt",
            "status": {"state": state, "reason": reason},
        },
    }
    if control.status == "in_progress":
        result["target"]["status"]["remarks"] = (
            f"Partly assessed: {len(concluded)} of {len(control.parts)} parts have a test "
            f"result, the rest none yet."
        )
    if observation_uuids:
        result["related-observations"] = [{"observation-uuid": u} for u in observation_uuids]
    return result


def assessment_results(assessment, absolute_url: Callable[[str], str]) -> dict:
    """The assessment as OSCAL assessment results; ``absolute_url`` turns a path of the portal
    into the URL a reader follows (``request.build_absolute_uri``)."""
    now = timezone.now()
    summary = summarize_assessment(assessment)
    template = assessment.template
    dashboard_url = absolute_url(reverse("compliance:assessment", args=[assessment.pk]))
    catalog = catalog_resource(template)
    plan = plan_resource(assessment, absolute_url("/"), dashboard_url, len(summary.controls))
    evidence = evidence_of(assessment, absolute_url)
    observations, observations_by_control = observations_of(
        assessment, summary, evidence, plan["uuid"]
    )
    findings = [
        finding(control, plan["uuid"], observations_by_control.get(control.control_id))
        for control in summary.controls
        if control.status in FINDING_STATES and assessed(control)
    ]
    not_assessed = sum(
        1
        for control in summary.controls
        if control.status != "out_of_scope" and not assessed(control)
    )
    result = {
        "uuid": str(uuid.uuid4()),
        "title": f"{assessment.title}: compliance score {summary.score.percent}%",
        "description": (
            f"{summary.score.earned} of {summary.score.available} points earned ({template.title})."
        ),
        "start": _iso(assessment.created_at),
        "end": _iso(now),
        "reviewed-controls": {
            "links": [{"href": f"#{catalog['uuid']}", "rel": "reference", "text": template.title}],
            "control-selections": [
                {"include-controls": [{"control-id": c.oscal_id} for c in summary.controls]}
            ],
        },
        "remarks": (
            f"{len(findings)} of {len(summary.controls)} controls have a finding. "
            f"{not_assessed} have not been assessed yet and so have none."
        ),
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
            "import-ap": {
                "href": f"#{plan['uuid']}",
                "remarks": "The assessment plan is the assessment as planned in the portal.",
            },
            "results": [result],
            "back-matter": {"resources": [catalog, plan]},
        }
    }
