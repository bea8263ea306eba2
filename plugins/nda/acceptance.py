"""Recording an acceptance: the one code path behind the site's form and the API."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import get_language

from cms.audit import client_ip, record
from cms.once import insert_or_existing

from .models import NdaAcceptance, NdaVersion


def acceptance_on_record(user, nda: NdaVersion) -> NdaAcceptance | None:
    """``user``'s acceptance of ``nda``: the earliest, the one the constraint keeps unique."""
    return (
        NdaAcceptance.objects.filter(user=user, nda_version=nda, repeats_earlier=False)
        .select_related("nda_version")
        .first()
    )


def record_acceptance(
    request, nda: NdaVersion, shown: NdaVersion, organization
) -> tuple[NdaAcceptance, bool]:
    """Record that ``request.user``, a member of ``organization``, accepted ``nda`` (the version
    in effect) as ``shown`` to them (its text in the language they read it in), with the client's
    IP address and user agent. Evidence twice over: the acceptance row and an entry in the
    hash-chained audit log, written in one transaction so one never exists without the other.

    Returns the acceptance and whether this call recorded it. A user has one acceptance per
    version: when another request of theirs recorded it first (at the same moment, say), that
    one is returned and nothing is written, no audit entry either."""
    user = request.user
    # Everything read first: the transaction below only writes (on SQLite it holds the write
    # lock from its start, and a request at the same moment waits for it).
    new = NdaAcceptance(
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

    def insert():
        new.save(force_insert=True)
        return new

    with transaction.atomic():
        acceptance, recorded = insert_or_existing(insert, lambda: acceptance_on_record(user, nda))
        if recorded:
            record(
                "nda_accepted",
                outcome="ok",
                request=request,
                user=user,
                nda_version=nda.version_label,
                detail={"text_sha256": acceptance.text_sha256, "language": acceptance.language},
            )
    return acceptance, recorded
