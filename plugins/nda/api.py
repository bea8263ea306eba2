"""The NDA in the headless API (``/api/v3/nda/``): the version in effect and its acceptance.

Accepting works as on the site (``views.accept``): the caller confirms which text they accept,
a changed text is refused, and the acceptance is recorded by the same function with the same
evidence.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.api.v3.errors import ProblemDetail

from cms.api.common import (
    READER_AUTH,
    BodyId,
    SignedInSessionAuth,
    activate_locale,
    reject_unknown_parameters,
)
from cms.i18n import localized
from cms.models import organization_of

from .acceptance import acceptance_on_record, record_acceptance
from .models import NdaAcceptance, NdaVersion, OfflineNdaAgreement

router = Router(tags=["nda"], auth=READER_AUTH)
LOCALE = "Language of the NDA's text, e.g. de"


class NdaSchema(Schema):
    #: What ``POST /api/v3/nda/accept/`` expects as ``version_id``.
    id: int
    label: str
    title: str
    text: str
    #: Language of ``title`` and ``text`` (``?locale=``, else the Accept-Language header).
    language: str
    #: SHA-256 of ``text``: what ``POST /api/v3/nda/accept/`` expects as ``text_sha256``.
    sha256: str
    effective_at: datetime
    #: Whether the caller accepted this version, and when (first acceptance).
    accepted: bool
    accepted_at: datetime | None
    #: Whether the caller's organization signed it outside the portal (still valid), so its
    #: members need not accept it here.
    signed_by_organization: bool


class AcceptanceIn(Schema):
    version_id: BodyId = Field(..., description="The ``id`` of the NDA as read")
    text_sha256: str = Field(
        ..., pattern=r"^[0-9a-f]{64}$", description="The ``sha256`` of the text as read"
    )


class AcceptanceSchema(Schema):
    version_id: int
    label: str
    language: str
    text_sha256: str
    accepted_at: datetime


def _current() -> NdaVersion:
    current = NdaVersion.current()
    if current is None:
        raise HttpError(404, "No NDA is in effect.")
    return current


def _acceptance(acceptance: NdaAcceptance) -> AcceptanceSchema:
    return AcceptanceSchema(
        version_id=acceptance.nda_version_id,
        label=acceptance.nda_version.version_label,
        language=acceptance.language,
        text_sha256=acceptance.text_sha256,
        accepted_at=acceptance.accepted_at,
    )


@router.get("/", response=NdaSchema, operation_id="nda_current", summary="The NDA in effect")
def current_nda(request, locale: str | None = Query(None, description=LOCALE)):
    """The NDA readers must accept before gated downloads, in the caller's language, and whether
    the caller has accepted it."""
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    current = _current()
    shown = localized(current)
    user = request.user
    first = None
    signed_offline = False
    if user.is_authenticated:
        first = acceptance_on_record(user, current)
        organization = organization_of(user)
        offline = (
            OfflineNdaAgreement.objects.filter(organization=organization).first()
            if organization
            else None
        )
        signed_offline = bool(offline and offline.is_valid())
    return NdaSchema(
        id=current.pk,
        label=current.version_label,
        title=shown.title,
        text=shown.text,
        language=shown.locale.language_code,
        sha256=shown.text_sha256(),
        effective_at=current.effective_at,
        accepted=first is not None,
        accepted_at=first.accepted_at if first else None,
        signed_by_organization=signed_offline,
    )


@router.post(
    "/accept/",
    auth=[BearerTokenAuth(), SignedInSessionAuth()],
    response={
        200: AcceptanceSchema,
        201: AcceptanceSchema,
        401: ProblemDetail,
        403: ProblemDetail,
        409: ProblemDetail,
    },
    operation_id="nda_accept",
    summary="Accept the NDA in effect",
)
def accept_nda(
    request, acceptance: AcceptanceIn, locale: str | None = Query(None, description=LOCALE)
):
    """Accept the NDA as read from ``GET /api/v3/nda/`` (send the same ``locale``): 201 with the
    new acceptance, 200 with the existing one when already accepted, 409 when the NDA or its text
    changed since it was read, 403 for accounts without an organization. Signed-in callers only;
    with a browser session, send the CSRF token (``X-CSRFToken``)."""
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    current = _current()
    shown = localized(current)
    if acceptance.version_id != current.pk:
        raise HttpError(
            409,
            f"NDA {acceptance.version_id} is not the one in effect: read version "
            f"{current.version_label} (id {current.pk}) and accept that.",
        )
    if acceptance.text_sha256 != shown.text_sha256():
        raise HttpError(
            409,
            f"The text accepted is not the text of version {current.version_label} in "
            f"{shown.locale.language_code}: it changed since it was read, or was read in another "
            "language (send the same locale).",
        )
    existing = acceptance_on_record(request.user, current)
    if existing is not None:
        return Status(200, _acceptance(existing))
    organization = organization_of(request.user)
    if organization is None:
        raise HttpError(403, "Only members of an organization can accept the NDA.")
    # The look above only spares the common case a write: of two requests at once, both get
    # here and the database records one (201); the other answers with it (200).
    recorded, created = record_acceptance(request, current, shown, organization)
    return Status(201 if created else 200, _acceptance(recorded))
