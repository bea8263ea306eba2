"""Telling staff that feedback arrived: one e-mail per feedback, sent from a background job."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from workflows.jobs import enqueue

from .models import Feedback

TRIAGE_PERMISSION = ("feedback", "change_feedback")


def staff_recipients() -> list[str]:
    """The configured addresses, else every active user who may triage feedback."""
    configured = apps.get_app_config("feedback").setting("NOTIFY_EMAILS")
    if configured:
        return list(configured)
    permission = Permission.objects.filter(
        content_type__app_label=TRIAGE_PERMISSION[0], codename=TRIAGE_PERMISSION[1]
    ).first()
    may_triage = Q(is_superuser=True)
    if permission is not None:
        may_triage |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = get_user_model().objects.filter(may_triage, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def notify_staff(feedback_id: int) -> None:
    """Job: e-mail staff about one feedback. Safe to run twice: the second run finds it sent."""
    from django.conf import settings

    feedback = Feedback.objects.filter(pk=feedback_id, staff_notified_at__isnull=True).first()
    if feedback is None:
        return
    recipients = staff_recipients()
    if recipients:
        context = {
            "feedback": feedback,
            "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
            + reverse("wagtailsnippets_feedback_feedback:edit", args=[feedback.pk]),
        }
        subject = render_to_string("feedback/email/new_feedback_subject.txt", context).strip()
        body = render_to_string("feedback/email/new_feedback.txt", context)
        send_mail(subject, body, None, recipients)
    # Marked after sending: a worker lost in between sends again, which beats never telling.
    Feedback.objects.filter(pk=feedback.pk).update(staff_notified_at=timezone.now())


def notify_unnotified() -> int:
    """Maintenance task: tell staff of feedback whose notification job never ran (Redis was
    down when it was sent, or the job was lost); a few minutes' grace for jobs still queued."""
    cutoff = timezone.now() - timedelta(minutes=5)
    pending = list(
        Feedback.objects.filter(staff_notified_at__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for feedback_id in pending:
        enqueue(notify_staff, feedback_id)
    return len(pending)
