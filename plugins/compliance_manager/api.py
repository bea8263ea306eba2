"""Compliance Manager in the headless API (``/api/v3/compliance/``): the same roles and
organization-scoped querysets as the site; the number of queries does not grow with the page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from cms.api.common import READER_AUTH, PageQuery, PathId, reject_unknown_parameters

from . import automatic_updates
from .models import AssessmentAction, ImplementationStatus, Role, TestingStatus
from .oscal.exporting import assessment_results
from .roles import has_role, organization_members, visible_action_items, visible_assessments
from .scoring import CONTROL_STATUSES, summarize_assessment
from .workflow import change_action_item

router = Router(tags=["compliance manager"], auth=READER_AUTH)


def require(request, role: Role = Role.READER) -> None:
    if not request.user.is_authenticated:
        raise HttpError(401, "Compliance Manager needs a signed-in user or a bearer token.")
    if not has_role(request.user, role):
        raise HttpError(403, f"This needs an organization account with the {role.label} role.")


class AssessmentSummary(Schema):
    id: int
    title: str
    group: str
    template: str
    service: str | None
    created_at: datetime
    html_url: str


class AssessmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssessmentSummary]


class ScoreSchema(Schema):
    earned: int
    available: int
    percent: int


class FamilyProgress(Schema):
    family: str
    score: ScoreSchema


class AssessmentDetail(AssessmentSummary):
    score: ScoreSchema
    controls: int
    controls_by_status: dict[str, int]
    families: list[FamilyProgress]


class LinkedControl(Schema):
    """A control an assessment asks for the item under, and whether the catalog still does."""

    assessment: int
    control: str = Field(..., description="The control's label, e.g. AC-7")
    oscal_id: str
    withdrawn: bool = Field(..., description="The catalog withdrew the control")
    retired_at: datetime | None = Field(
        ..., description="When a re-imported catalog no longer held the control"
    )


class ActionItemSchema(Schema):
    id: int
    key: str
    control: str
    title: str
    points: int
    action_type: str = Field(..., description="preventive, detective or corrective")
    enforcement: str = Field(..., description="mandatory or discretionary")
    assignee: str | None
    due_date: date | None
    implementation_status: str
    implementation_notes: str
    testing_status: str
    testing_notes: str
    automatic_updates: bool
    html_url: str
    retired: bool = Field(
        ...,
        description=(
            "Every control the item is asked for under was retired or withdrawn: it is kept "
            "with its history and counts toward no score"
        ),
    )
    linked_controls: list[LinkedControl]


class ActionItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ActionItemSchema]


class ActionItemQuery(PageQuery):
    assignee: str | None = Field(None, max_length=150, description="Username of the assignee")
    implementation_status: ImplementationStatus | None = None
    testing_status: TestingStatus | None = None


class ActionItemPatch(Schema):
    """Only the fields sent are changed; each needs the role that may change it."""

    assignee: str | None = Field(None, max_length=150)
    due_date: date | None = None
    implementation_status: ImplementationStatus | None = None
    implementation_notes: str | None = Field(None, max_length=10_000)
    testing_status: TestingStatus | None = None
    testing_notes: str | None = Field(None, max_length=10_000)
    automatic_updates: bool | None = None


#: Fields a PATCH may change but not empty with null (the database keeps "" or a status).
NOT_NULL = (
    "implementation_status",
    "implementation_notes",
    "testing_status",
    "testing_notes",
    "automatic_updates",
)


class Signal(Schema):
    action_key: str = Field(..., max_length=200, description="e.g. ac-2/implement")
    implementation_status: Literal[tuple(ImplementationStatus.values)]  # type: ignore[valid-type]
    source: str = Field(..., min_length=1, max_length=150)
    notes: str = Field("", max_length=10_000)


class SignalResult(Schema):
    updated: int
    not_enabled: int


def _summary(request, assessment) -> dict:
    return dict(
        id=assessment.pk,
        title=assessment.title,
        group=assessment.group.name,
        template=assessment.template.title,
        service=assessment.service.name if assessment.service else None,
        created_at=assessment.created_at,
        html_url=request.build_absolute_uri(reverse("compliance:assessment", args=[assessment.pk])),
    )


def _item(request, item) -> ActionItemSchema:
    linked = [
        LinkedControl(
            assessment=link.assessment_id,
            control=link.control.label or link.control.oscal_id,
            oscal_id=link.control.oscal_id,
            withdrawn=link.control.withdrawn,
            retired_at=link.control.retired_at,
        )
        for link in item.links.all()
    ]
    return ActionItemSchema(
        id=item.pk,
        key=item.key,
        control=item.control_label,
        title=item.title,
        points=item.points,
        action_type=item.action_type,
        enforcement=item.enforcement,
        assignee=item.assignee.get_username() if item.assignee else None,
        due_date=item.due_date,
        implementation_status=item.implementation_status,
        implementation_notes=item.implementation_notes,
        testing_status=item.testing_status,
        testing_notes=item.testing_notes,
        automatic_updates=item.automatic_updates,
        html_url=request.build_absolute_uri(reverse("compliance:action", args=[item.pk])),
        retired=bool(linked) and all(c.withdrawn or c.retired_at for c in linked),
        linked_controls=linked,
    )


def _with_links(items):
    """Items with the controls they are linked under, in one query for any page size."""
    return items.prefetch_related(
        Prefetch(
            "links",
            queryset=AssessmentAction.objects.select_related("control")
            .only(
                "assessment",
                "action_item",
                "control",
                "control__label",
                "control__oscal_id",
                "control__withdrawn",
                "control__retired_at",
            )
            .order_by("assessment_id", "pk"),
        )
    )


def _assessments(request):
    return visible_assessments(request.user).select_related("group", "template", "service")


@router.get(
    "/assessments/",
    response=AssessmentPage,
    operation_id="compliance_assessments_list",
    summary="The caller's organization's assessments",
)
def list_assessments(request, query: Query[PageQuery]):
    reject_unknown_parameters(request, {"limit", "offset"})
    require(request)
    queryset = _assessments(request).order_by("group__name", "title", "pk")
    items = queryset[query.offset : query.offset + query.limit]
    return AssessmentPage(
        count=queryset.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_summary(request, a) for a in items],
    )


@router.get(
    "/assessments/{id:assessment_id}/",
    response=AssessmentDetail,
    operation_id="compliance_assessment_detail",
    summary="An assessment with its score and progress by family and status",
)
def assessment_detail(request, assessment_id: int = PathId):
    reject_unknown_parameters(request, set())
    require(request)
    assessment = get_object_or_404(_assessments(request), pk=assessment_id)
    summary = summarize_assessment(assessment)
    families = [
        FamilyProgress(
            family=family.title,
            score=ScoreSchema(
                earned=score.earned, available=score.available, percent=score.percent
            ),
        )
        for family in assessment.template.families.all()
        if (score := summary.by_family.get(family.pk)) is not None
    ]
    score = summary.score
    return AssessmentDetail(
        **_summary(request, assessment),
        score=ScoreSchema(earned=score.earned, available=score.available, percent=score.percent),
        controls=len(summary.controls),
        controls_by_status={key: summary.by_status.get(key, 0) for key in CONTROL_STATUSES},
        families=families,
    )


@router.get(
    "/assessments/{id:assessment_id}/action-items/",
    response=ActionItemPage,
    operation_id="compliance_assessment_action_items",
    summary="An assessment's action items, filtered by assignee and status",
)
def assessment_action_items(request, query: Query[ActionItemQuery], assessment_id: int = PathId):
    reject_unknown_parameters(
        request, {"limit", "offset", "assignee", "implementation_status", "testing_status"}
    )
    require(request)
    assessment = get_object_or_404(visible_assessments(request.user), pk=assessment_id)
    queryset = visible_action_items(request.user).filter(links__assessment=assessment)
    if query.assignee:
        queryset = queryset.filter(assignee__username=query.assignee)
    if query.implementation_status:
        queryset = queryset.filter(implementation_status=query.implementation_status)
    if query.testing_status:
        queryset = queryset.filter(testing_status=query.testing_status)
    queryset = _with_links(queryset.select_related("assignee")).order_by(
        "control_label", "key", "pk"
    )
    page = queryset[query.offset : query.offset + query.limit]
    return ActionItemPage(
        count=queryset.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_item(request, item) for item in page],
    )


@router.get(
    "/action-items/{id:item_id}/",
    response=ActionItemSchema,
    operation_id="compliance_action_item_detail",
    summary="One action item",
)
def action_item_detail(request, item_id: int = PathId):
    reject_unknown_parameters(request, set())
    require(request)
    item = get_object_or_404(
        _with_links(visible_action_items(request.user).select_related("assignee")), pk=item_id
    )
    return _item(request, item)


@router.patch(
    "/action-items/{id:item_id}/",
    response=ActionItemSchema,
    operation_id="compliance_action_item_update",
    summary="Change an action item (testing status: assessors only)",
)
def update_action_item(request, patch: ActionItemPatch, item_id: int = PathId):
    reject_unknown_parameters(request, set())
    require(request, Role.CONTRIBUTOR)
    item = get_object_or_404(
        _with_links(visible_action_items(request.user).select_related("assignee", "organization")),
        pk=item_id,
    )
    changes = patch.dict(exclude_unset=True)
    if "assignee" in changes:
        username = changes["assignee"]
        changes["assignee"] = None
        if username:
            changes["assignee"] = (
                organization_members(item.organization).filter(username=username).first()
            )
            if changes["assignee"] is None:
                raise HttpError(400, f"{username!r} is not a member of your organization.")
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise HttpError(400, f"{name} cannot be null.")
    for name in ("implementation_status", "testing_status"):
        if name in changes:
            changes[name] = str(
                changes[name].value if hasattr(changes[name], "value") else changes[name]
            )
    try:
        change_action_item(
            item,
            request.user,
            changes,
            url=request.build_absolute_uri(reverse("compliance:action", args=[item.pk])),
        )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied)) from denied
    except ValidationError as invalid:
        raise HttpError(400, " ".join(invalid.messages)) from invalid
    return _item(request, item)


@router.get(
    "/assessments/{id:assessment_id}/oscal/",
    response=dict,
    operation_id="compliance_assessment_oscal",
    summary="The assessment as OSCAL assessment results (JSON)",
)
def assessment_oscal(request, assessment_id: int = PathId):
    reject_unknown_parameters(request, set())
    require(request)
    assessment = get_object_or_404(
        _assessments(request).select_related("organization"), pk=assessment_id
    )
    return assessment_results(assessment, request.build_absolute_uri)


class SignalToken(APIKeyHeader):
    """The organization's signed token for automatic updates (More › Admin › Automatic
    updates), sent as ``X-Signal-Token``."""

    param_name = "X-Signal-Token"

    def authenticate(self, request, key):
        organization = automatic_updates.organization_for_token(key or "")
        if organization is not None:
            request.signal_organization = organization
        return organization


@router.post(
    "/signals/",
    response=SignalResult,
    auth=SignalToken(),
    operation_id="compliance_signal",
    summary="Post an action's status from an external system (automatic updates)",
)
def post_signal(request, signal: Signal):
    """Items with this key whose administrator enabled automatic updates follow the status;
    the source is recorded in their history. 401 for a missing, revoked or disabled token."""
    reject_unknown_parameters(request, set())
    return automatic_updates.apply_signal(
        request.signal_organization,
        signal.action_key,
        signal.implementation_status,
        signal.source,
        signal.notes,
    )
