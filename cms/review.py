"""Who may put a document series or version live without a review.

NDA and restricted material goes live only once the groups that review it (the Moderators of
the "Gated document review" workflow) have approved it, or when one of them publishes it; what
is public or for signed-in users an editor publishes directly. ``may_publish`` is that rule,
and the only place it is decided: the admin's forms, its revert view, Wagtail's publish and
create actions (the API's) ask it through the models' permission policy
(``ReviewedPublishingPolicy``, the "publish" permission on an instance), and the review task
asks ``needs_review`` whether a submission waits for the reviewers or passes on its own.
wagtail-localize's views that publish a translation ask ``may_publish_translation``
(``cms.admin_translations``): a translation of gated material is gated material.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.actions.create import CreateAction, CreatePermissionError
from wagtail.actions.publish_revision import PublishPermissionError, PublishRevisionAction
from wagtail.models import AbstractGroupApprovalTask
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from .models import AccessLevel, DocumentVersion, TrustDocument


def may_publish(user, content) -> bool:
    """Whether ``user`` may put ``content`` (a series or a version, as it would go live) live
    without a review."""
    return not needs_review(content) or is_reviewer(user, content)


def may_publish_translation(user, translation) -> bool:
    """Whether ``user`` may put the target of ``translation`` (wagtail-localize's, of a series or
    a version into another locale) live without a review, as the models' permission policy
    answers. Each language's series or version is a row of its own, its access level copied from
    the source whenever wagtail-localize saves it: the translation of gated material is gated
    material. So the source is asked about as stored and as the translation copies it (the
    snapshot wagtail-localize took, maybe before a change of level), and the target as stored
    (a live gated translation made public needs a review too). Translations of other models are
    not reviewed here."""
    source = translation.source
    stored = source.get_source_instance()
    if not isinstance(stored, (TrustDocument, DocumentVersion)):
        return True
    contents = [stored, source.as_instance()]
    target = stored.get_translation_or_none(translation.target_locale)
    if target is not None:
        contents.append(target)
    policy = policy_registry.get(stored)
    return all(
        policy.user_has_permission_for_instance(user, "publish", content) for content in contents
    )


def needs_review(content) -> bool:
    """Whether putting ``content`` live needs a review: it is gated, or it would change what is
    gated now (a live NDA series made public; a live version moved out of a gated series)."""
    if isinstance(content, TrustDocument):
        return content.is_gated or (
            content.pk is not None and _stored_series_exposes_gated_material(content.pk)
        )
    if isinstance(content, DocumentVersion):
        series = {content.document_id}
        if content.pk is not None:
            series.update(
                DocumentVersion.objects.filter(pk=content.pk, live=True).values_list(
                    "document_id", flat=True
                )
            )
        return any(_series_is_gated(pk) for pk in series if pk is not None)
    # Anything else a review workflow is given (a page, say) is always reviewed.
    return True


def is_reviewer(user, content) -> bool:
    """Superusers, and members of a group of every group-approval task of the workflow that
    reviews ``content`` (publishing directly stands for the whole review). Without an active
    workflow nobody reviews, so only superusers publish gated material."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    workflow = content.get_workflow()
    if workflow is None:
        return False
    tasks = [
        task.specific
        for task in workflow.tasks.filter(active=True)
        if isinstance(task.specific, AbstractGroupApprovalTask)
    ]
    user_groups = user.groups.all()
    return bool(tasks) and all(task.groups.filter(pk__in=user_groups).exists() for task in tasks)


def _series_is_gated(document_id) -> bool:
    """Whether the series' versions are gated: the series is NDA or restricted as stored, or in
    its newest draft (a version must not slip out public while the series waits to be raised)."""
    series = (
        TrustDocument.objects.filter(pk=document_id)
        .select_related("latest_revision")
        .only("access_level", "latest_revision__content")
        .first()
    )
    if series is None:
        return False
    draft = series.latest_revision.content if series.latest_revision else {}
    return series.is_gated or draft.get("access_level") in AccessLevel.gated()


def _stored_series_exposes_gated_material(document_id) -> bool:
    """Whether the series as stored is gated material readers get today: gated and live, or
    gated with live versions. (A gated series never published, say a new one left at the
    default level, may still go live as public: nothing gated is behind it yet.)"""
    return TrustDocument.objects.filter(
        Q(live=True) | Q(versions__live=True),
        pk=document_id,
        access_level__in=AccessLevel.gated(),
    ).exists()


class ReviewedPublishingPolicy(ModelPermissionPolicy):
    """The model's permissions, and for "publish" on an instance also ``may_publish``: editors
    keep the publish permission (public material goes live at once) but not for gated
    material."""

    def user_has_permission_for_instance(self, user, action, instance):
        allowed = super().user_has_permission_for_instance(user, action, instance)
        if action == "publish" and allowed:
            return may_publish(user, instance)
        return allowed


class ReviewedPublishRevisionAction(PublishRevisionAction):
    """Wagtail's publish action (the API's ``actions/publish/``, a script) asks the model-level
    permission only; this one asks about the revision it publishes."""

    def check(self, skip_permission_checks=False):
        super().check(skip_permission_checks=skip_permission_checks)
        if (
            self.user
            and not skip_permission_checks
            and not self.permission_policy.user_has_permission_for_instance(
                self.user, "publish", self.object
            )
        ):
            raise PublishPermissionError(refusal_message(self.object))


class ReviewedCreateAction(CreateAction):
    """Wagtail's create action publishes on request (the API's ``meta.action``) after a
    model-level check; this one asks about the object the form would create."""

    def check_publish(self):
        super().check_publish()
        content = self.instance
        if self.form is not None:
            if not self.form.is_valid():
                return  # the action refuses it with the form's errors
            content = self.form.instance
        if self.user and not self.permission_policy.user_has_permission_for_instance(
            self.user, "publish", content
        ):
            raise CreatePermissionError(refusal_message(content))


def refusal_message(content) -> str:
    """What an editor is told when publishing ``content`` needs a review."""
    return _(
        "NDA and restricted documents and their versions go live only after review: submit "
        "this %(model)s for moderation instead of publishing it."
    ) % {"model": content._meta.verbose_name}


def translation_refusal_message(content) -> str:
    """What an editor is told when publishing a translation of ``content`` needs a review."""
    return _(
        "Translations of NDA and restricted documents and their versions go live only after "
        "review: ask a Moderator to publish the translations of this %(model)s."
    ) % {"model": content._meta.verbose_name}
