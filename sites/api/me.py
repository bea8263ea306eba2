from __future__ import annotations

from ninja import Router, Schema

from cms.access import policy
from cms.api.common import READER_AUTH, reject_unknown_parameters
from cms.models import organization_of

router = Router(tags=["me"], auth=READER_AUTH)


class MeSchema(Schema):
    authenticated: bool
    username: str | None
    organization: str | None
    nda_accepted: bool
    nda_version: str | None


@router.get(
    "/", response=MeSchema, operation_id="me", summary="Who am I: organization and NDA status"
)
def me(request):
    reject_unknown_parameters(request, set())
    user = request.user
    if not user.is_authenticated:
        return MeSchema(
            authenticated=False,
            username=None,
            organization=None,
            nda_accepted=False,
            nda_version=None,
        )
    organization = organization_of(user)
    label = policy.accepted_nda_label(user)
    return MeSchema(
        authenticated=True,
        username=user.get_username(),
        organization=organization.name if organization else None,
        nda_accepted=bool(label) and organization is not None,
        nda_version=label or None,
    )
