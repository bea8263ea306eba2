"""``/api/v3/notifications/webhooks/``: an organization's webhook endpoints, as its
administrators manage them on the webhooks page — registered with the page's form (HTTPS, a
public host), the signing secret shown once when an endpoint is made, the delivery log — plus
switching an endpoint off and on, and a test delivery.

Only administrators of an organization have webhooks (403 for everyone else); an endpoint of
another organization is a 404, as if it did not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from wagtail.api.v3.errors import ProblemDetail

from cms.api.common import PageQuery, PathId, reject_unknown_parameters

from ..models import WebhookDelivery, WebhookEndpoint
from ..webhook_ping import ping
from ..webhook_views import EndpointForm, add_endpoint, administered_organization
from .common import SIGNED_IN, refuse_invalid

router = Router(auth=SIGNED_IN)

#: What every endpoint is POSTed (there is no per-endpoint choice, on the site either).
EVENTS = ["document.version_published", "document.updated"]
CONFLICT = "Your organization already has an active endpoint at this URL."


class EndpointSchema(Schema):
    id: int
    url: str
    #: Inactive endpoints are sent nothing.
    active: bool
    events: list[str] = Field(..., description="The events POSTed to the endpoint")
    created_at: datetime
    created_by: str | None = Field(..., description="Username of who registered it")


class EndpointPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EndpointSchema]


class CreatedEndpoint(EndpointSchema):
    #: The HMAC-SHA256 signing secret: shown in this answer only, never again.
    secret: str


class EndpointIn(Schema):
    url: str = Field(..., max_length=500, description="HTTPS, at a public host")


class EndpointPatch(Schema):
    """Only the fields sent are changed."""

    url: str | None = Field(None, max_length=500)
    active: bool | None = None


class PingSchema(Schema):
    delivered: bool
    status_code: int | None = Field(..., description="The endpoint's HTTP answer, if any")
    error: str
    event_id: str


class DeliverySchema(Schema):
    id: int
    event_id: str
    status: Literal[tuple(WebhookDelivery.Status.values)]  # type: ignore[valid-type]
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    last_status_code: int | None


class DeliveryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DeliverySchema]


PROBLEMS = {400: ProblemDetail, 401: ProblemDetail, 403: ProblemDetail, 404: ProblemDetail}


def _organization(request):
    organization = administered_organization(request.user)
    if organization is None:
        raise HttpError(403, "Webhooks are managed by your organization's administrators.")
    return organization


def _endpoint(request, webhook_id: int) -> WebhookEndpoint:
    endpoints = WebhookEndpoint.objects.filter(organization=_organization(request))
    return get_object_or_404(endpoints.select_related("created_by"), pk=webhook_id)


def _answer(endpoint: WebhookEndpoint) -> dict:
    return dict(
        id=endpoint.pk,
        url=endpoint.url,
        active=endpoint.active,
        events=EVENTS,
        created_at=endpoint.created_at,
        created_by=endpoint.created_by.get_username() if endpoint.created_by else None,
    )


@router.get(
    "/",
    response={200: EndpointPage, **PROBLEMS},
    operation_id="notifications_webhooks_list",
    summary="Your organization's webhook endpoints",
)
def list_endpoints(request, query: Query[PageQuery]):
    reject_unknown_parameters(request, {"limit", "offset"})
    endpoints = WebhookEndpoint.objects.filter(organization=_organization(request))
    page = endpoints.select_related("created_by").order_by("created_at", "pk")
    return EndpointPage(
        count=endpoints.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_answer(e) for e in page[query.offset : query.offset + query.limit]],
    )


@router.post(
    "/",
    response={200: CreatedEndpoint, 201: CreatedEndpoint, 409: ProblemDetail, **PROBLEMS},
    operation_id="notifications_webhooks_create",
    summary="Register a webhook endpoint",
)
def create_endpoint(request, body: EndpointIn):
    """201 with the new endpoint and its signing secret, the only time it is shown. Sent again
    (a retry), the same caller gets 200 with the endpoint made the first time, as the site
    answers a form sent twice; another administrator's active endpoint at the URL is a 409."""
    reject_unknown_parameters(request, set())
    organization = _organization(request)
    form = EndpointForm({"url": body.url})
    refuse_invalid(form)
    endpoint, added = add_endpoint(form.save(commit=False), organization, request.user)
    if not added and endpoint.created_by_id != request.user.pk:
        raise HttpError(409, CONFLICT)
    return Status(
        201 if added else 200, CreatedEndpoint(**_answer(endpoint), secret=endpoint.secret)
    )


@router.get(
    "/{id:webhook_id}/",
    response={200: EndpointSchema, **PROBLEMS},
    operation_id="notifications_webhook_detail",
    summary="One webhook endpoint (without its secret)",
)
def endpoint_detail(request, webhook_id: int = PathId):
    reject_unknown_parameters(request, set())
    return _answer(_endpoint(request, webhook_id))


@router.patch(
    "/{id:webhook_id}/",
    response={200: EndpointSchema, 409: ProblemDetail, **PROBLEMS},
    operation_id="notifications_webhook_update",
    summary="Change an endpoint's URL, or switch it off or on",
)
def update_endpoint(request, patch: EndpointPatch, webhook_id: int = PathId):
    """A new URL is checked as a new endpoint's is; its secret stays. 409 when another active
    endpoint of the organization has that URL."""
    reject_unknown_parameters(request, set())
    endpoint = _endpoint(request, webhook_id)
    changes = patch.dict(exclude_unset=True)
    if "active" in changes and changes["active"] is None:
        raise HttpError(400, "active cannot be null.")
    if "url" in changes:
        form = EndpointForm({"url": changes["url"] or ""}, instance=endpoint)
        refuse_invalid(form)
        endpoint = form.save(commit=False)
    if "active" in changes:
        endpoint.active = changes["active"]
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError as conflict:
        raise HttpError(409, CONFLICT) from conflict
    return _answer(endpoint)


@router.delete(
    "/{id:webhook_id}/",
    response={204: None, **PROBLEMS},
    operation_id="notifications_webhook_delete",
    summary="Remove a webhook endpoint and its delivery log",
)
def delete_endpoint(request, webhook_id: int = PathId):
    reject_unknown_parameters(request, set())
    _endpoint(request, webhook_id).delete()
    return Status(204, None)


@router.post(
    "/{id:webhook_id}/test/",
    response={200: PingSchema, **PROBLEMS},
    operation_id="notifications_webhook_test",
    summary="Send the endpoint a signed test event now",
)
def test_endpoint(request, webhook_id: int = PathId):
    """POSTs ``{"event": "ping", ...}``, signed as every delivery is, at once; the answer says
    whether the endpoint took it (2xx). Nothing is logged or retried."""
    reject_unknown_parameters(request, set())
    result = ping(_endpoint(request, webhook_id))
    return PingSchema(
        delivered=result.delivered,
        status_code=result.status_code,
        error=result.error,
        event_id=result.event_id,
    )


@router.get(
    "/{id:webhook_id}/deliveries/",
    response={200: DeliveryPage, **PROBLEMS},
    operation_id="notifications_webhook_deliveries",
    summary="An endpoint's latest deliveries, newest first",
)
def endpoint_deliveries(request, query: Query[PageQuery], webhook_id: int = PathId):
    reject_unknown_parameters(request, {"limit", "offset"})
    deliveries = WebhookDelivery.objects.filter(endpoint=_endpoint(request, webhook_id))
    page = deliveries.order_by("-created_at", "-pk")[query.offset : query.offset + query.limit]
    return DeliveryPage(
        count=deliveries.count(),
        limit=query.limit,
        offset=query.offset,
        items=[
            DeliverySchema(
                id=d.pk,
                event_id=d.event_id,
                status=d.status,
                attempts=d.attempts,
                created_at=d.created_at,
                delivered_at=d.delivered_at,
                next_attempt_at=d.next_attempt_at,
                last_status_code=d.last_status_code,
            )
            for d in page
        ],
    )
