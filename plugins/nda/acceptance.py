"""Recording an acceptance: the one code path behind the site's form and the API."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import get_language

from cms.audit import client_ip, record

from .models import NdaAcceptance, NdaVersion


def record_acceptance(request, nda: NdaVersion, shown: NdaVersion, organization) -> NdaAcceptance:
    """Record that ``request.user``, a member of ``organization``, accepted ``nda`` (the version
    in effect) as ``shown`` to them (its text in the language they read it in), with the client's
    IP address and user agent. Evidence twice over: the acceptance row and an entry in the
    hash-chained audit log, written in one transaction so one never exists without the other."""
    user = request.user
    with transaction.atomic():
        acceptance = NdaAcceptance.objects.create(
            user=user,
            username=user.get_username(),
            email=user.email,
            organization=organization,
            organization_name=organization.name,
            nda_version=nda,
            language=shown.locale.language_code if shown.locale_id else get_language(),
            text_sha256=shown.text_sha256(),
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        )
        record(
            "nda_accepted",
            outcome="ok",
            request=request,
            user=user,
            nda_version=nda.version_label,
            detail={"text_sha256": acceptance.text_sha256, "language": acceptance.language},
        )
    return acceptance
