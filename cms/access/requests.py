"""Opening an access request; recording staff decisions on them and telling the requester."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cms.audit import record
from cms.models import AccessRequest
from cms.once import insert_or_existing


def open_request(user, document, reason: str) -> tuple[AccessRequest, bool]:
    """A new pending request of ``user`` for ``document``; or the one already pending
    (``False``), which the database allows one of (``one_pending_request_per_document``): a
    form sent twice at once opens one request."""
    return insert_or_existing(
        lambda: AccessRequest.objects.create(user=user, document=document, reason=reason),
        lambda: AccessRequest.objects.filter(
            user=user, document=document, status=AccessRequest.Status.PENDING
        ).first(),
    )


def record_decision(access_request: AccessRequest, decided_by, request=None) -> None:
    """Stamp who decided and when, log it, and e-mail the requester in their language."""
    AccessRequest.objects.filter(pk=access_request.pk).update(
        decided_by=decided_by, decided_at=timezone.now()
    )
    _audit(access_request, decided_by, request)
    user = access_request.user
    if not user.email:
        return
    language = getattr(user, "wagtail_userprofile", None)
    language = getattr(language, "preferred_language", "") or translation.get_language()
    with translation.override(language):
        context = {"access_request": access_request, "document": access_request.document}
        subject = render_to_string("portal/email/access_decision_subject.txt", context).strip()
        body = render_to_string("portal/email/access_decision.txt", context)
    send_mail(subject, body, None, [user.email])


def _audit(access_request, decided_by, request) -> None:
    record(
        "access_request_decided",
        outcome="ok",
        request=request,
        user=access_request.user,
        document=access_request.document,
        detail={
            "decision": access_request.status,
            "decided_by": decided_by.get_username() if decided_by else None,
            "expires_at": access_request.expires_at.isoformat()
            if access_request.expires_at
            else None,
        },
    )
