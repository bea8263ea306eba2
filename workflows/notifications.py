"""Reviewers hear of what waits for them, not of everything that passes through the workflow.

Wagtail mails its superusers "… has been submitted to workflow …" for every workflow started,
even when the first step approved it at once (``GatedContentReviewTask`` lets public material
through, and it is live before the signal is sent). The task's own notice to its groups goes
out only for what waits for them; here the workflow's notice follows it: sent only while the
workflow is still in progress after its start, i.e. when someone has to review something.
"""

from wagtail.admin.mail import WorkflowStateSubmissionEmailNotifier
from wagtail.models import WorkflowState
from wagtail.signals import workflow_submitted

#: Wagtail's receiver of ``workflow_submitted`` (``wagtail.admin.signal_handlers``), replaced.
WAGTAIL_DISPATCH_UID = "workflow_state_submitted_email_notification"


class WaitingSubmissionNotifier(WorkflowStateSubmissionEmailNotifier):
    def can_handle(self, instance, **kwargs):
        return (
            super().can_handle(instance, **kwargs)
            and instance.status == WorkflowState.STATUS_IN_PROGRESS
        )


# Held here: the signal keeps only a weak reference to its receivers.
waiting_submission_notifier = WaitingSubmissionNotifier()


def connect() -> None:
    """Put ``WaitingSubmissionNotifier`` in the place of Wagtail's notifier, whichever app's
    ``ready()`` runs first: a receiver already connected under the same ``dispatch_uid`` is
    removed, and a later connect under it (Wagtail's) is ignored by Django."""
    workflow_submitted.disconnect(sender=WorkflowState, dispatch_uid=WAGTAIL_DISPATCH_UID)
    workflow_submitted.connect(
        waiting_submission_notifier, sender=WorkflowState, dispatch_uid=WAGTAIL_DISPATCH_UID
    )
