"""Workflow tasks of the editorial process, and the outbox of core events."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, TaskState

from cms.review import needs_review


class GatedContentReviewTask(AbstractGroupApprovalTask):
    """Legal review of gated material: NDA and restricted documents (and their versions) wait
    for the chosen groups' approval; anything else passes this step on its own, so one workflow
    can cover every document. What is gated is decided by ``cms.review.needs_review``, the rule
    the admin's Publish asks too."""

    def start(self, workflow_state, user=None):
        # Judge the revision under review, not the live row: a draft may raise the level.
        revision = workflow_state.content_object.get_latest_revision()
        content = revision.as_object() if revision else workflow_state.content_object
        if needs_review(content):
            return super().start(workflow_state, user=user)
        # Not gated: record the step as passed without the "submitted" signal, so moderators
        # are not mailed about something they will never have to review.
        task_state = self.get_task_state_class()(workflow_state=workflow_state)
        task_state.status = TaskState.STATUS_IN_PROGRESS
        task_state.revision = revision
        task_state.task = self
        task_state.save()
        task_state.approve(
            user=None, update=False, comment=str(_("Not gated: no legal review needed."))
        )
        return task_state

    @classmethod
    def get_description(cls):
        return _("NDA and restricted documents need approval by the chosen groups; others pass.")

    class Meta:
        verbose_name = _("gated content review")
        verbose_name_plural = _("gated content reviews")


class OutboxEvent(models.Model):
    """A core event, written in the same transaction as the publish that raised it.

    The row commits or rolls back with the publish, so an update is never lost when Redis is down
    at that moment: the relay puts it on the queue after commit, and the sweep
    (``workflows.outbox.relay_pending``) retries whatever is still waiting once Redis is back.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    #: When it was last handed to the queue (null: waiting for the relay).
    relayed_at = models.DateTimeField(null=True, blank=True)
    #: When every handler finished (null: not yet, or a worker died mid-way).
    handled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    #: Runs of the handlers so far (a worker killed mid-run counts too).
    attempts = models.PositiveIntegerField(default=0)
    #: After a failed run: not relayed again before this (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: Set once ``TRUSTPORTAL_OUTBOX_MAX_ATTEMPTS`` runs failed: left for staff, never retried
    #: on its own (the admin's "Outbox events" lists it, with a button to retry).
    failed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.name} {self.payload}"

    @property
    def state(self) -> str:
        if self.handled_at:
            return "handled"
        return "failed" if self.failed_at else "waiting"
