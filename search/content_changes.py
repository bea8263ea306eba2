"""Every content change bumps the listing generation, not only the listed models'.

``search/signals.py`` bumps the generation precisely for what listings count (documents,
versions, files, terms, only when a field readers see changed). What is served to anonymous
visitors from a cache (``sites/visitor_cache.py``) depends on more: pages and their tree, starter
packs, site settings, the NDA's text, images, redirects, a plugin's own content. Rather than
name every such model (and go stale on the first one forgotten), this module bumps on a write
to *any* model except those known never to reach an anonymous visitor: members' own rows, logs,
sessions, caches of renders. Forgetting one of those costs some cache misses, never a stale page.

Writes that bypass signals (``QuerySet.update``, ``bulk_create``) bump where they are made, as
the search index's do (``search/text_index.py``).

A signed-in reader's page shows more than a visitor's: their name, the menu entries their
groups and roles give them, what their own rows change. Their pages are kept under the
**member pages stamp** too (``MemberPagesStamp``), which changes on a write to any model but
those no reader page shows to anyone at all (logs, sessions, jobs, the editors' drafts).
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from cms.plugins import registry

from .facets import bump_generation
from .models import MemberPagesStamp

#: Whole apps none of whose rows a visitor is shown: sessions, logs, admin state, permissions,
#: wagtail-localize's translation sources (a translation reaches readers by saving the
#: translated page or snippet, which bumps), and this app (its index bumps for itself).
PRIVATE_APPS = frozenset(
    {
        "admin",
        "audit",
        "accounts",
        "auth",
        "contenttypes",
        "django_rq",
        "sessions",
        "trustsearch",
        "wagtail_localize",
        "wagtailadmin",
        "wagtailsearch",
        "wagtailusers",
        "workflows",
    }
)

#: Single models of other apps, with why.
PRIVATE_MODELS = frozenset(
    {
        # Members and their organizations, access requests: a visitor is shown none of them.
        "cms.Organization",
        "cms.Membership",
        "cms.AccessRequest",
        # Written while a page renders (an image's size, an embed's HTML) for any reader:
        # derived from content whose own change bumps.
        "wagtailimages.Rendition",
        "wagtailembeds.Embed",
        # Drafts, workflow state, logs, comments and subscriptions of the editors' side; a
        # publish saves the page or snippet itself.
        "wagtailcore.Revision",
        "wagtailcore.ModelLogEntry",
        "wagtailcore.PageLogEntry",
        "wagtailcore.WorkflowState",
        "wagtailcore.TaskState",
        "wagtailcore.Workflow",
        "wagtailcore.WorkflowTask",
        "wagtailcore.WorkflowPage",
        "wagtailcore.WorkflowContentType",
        "wagtailcore.Task",
        "wagtailcore.GroupApprovalTask",
        "wagtailcore.Comment",
        "wagtailcore.CommentReply",
        "wagtailcore.PageSubscription",
        "wagtailcore.ReferenceIndex",
        "wagtailcore.UploadedFile",
        "wagtailcore.APIToken",
        "wagtailcore.GroupPagePermission",
        "wagtailcore.GroupCollectionPermission",
        "wagtailcore.GroupSitePermission",
        "wagtailforms.FormSubmission",
    }
)

#: Models ``search/signals.py`` already follows field by field (a draft save does not bump).
LISTED_MODELS = frozenset(
    {
        "cms.TrustDocument",
        "cms.DocumentVersion",
        "cms.VersionFile",
        "cms.Category",
        "cms.Service",
        "cms.Region",
        "cms.Industry",
        "cms.Standard",
    }
)


#: What no reader page shows to anyone, signed in or not: the apps and models above (a
#: member's API tokens and sign-in identities are on pages of their own) but the people's
#: (users, groups, permissions, members, organizations and access requests: a
#: member's name, menu and page privacy depend on them, and an editor's userbar on their
#: permissions and preferences), and the stamps themselves. (The listed models are content,
#: which ``search/signals.py`` follows.)
UNSEEN_APPS = PRIVATE_APPS - {"auth", "wagtailusers"}
UNSEEN_MODELS = (
    PRIVATE_MODELS
    - {
        "cms.Organization",
        "cms.Membership",
        "cms.AccessRequest",
        "wagtailcore.GroupPagePermission",
        "wagtailcore.GroupCollectionPermission",
        "wagtailcore.GroupSitePermission",
    }
) | (LISTED_MODELS | {"cms.EntitlementStamp"})


def _ignored_labels() -> frozenset[str]:
    return _ignored_with(registry.installed_plugins())


@cache
def _ignored_with(plugins) -> frozenset[str]:
    # Once per set of plugins (tests install one for a while), not on every write.
    return PRIVATE_MODELS | LISTED_MODELS | registry.private_models()


def shown_to_visitors(model) -> bool:
    """Whether a write to ``model`` may change what an anonymous visitor is served."""
    meta = model._meta
    if meta.apps is not apps:
        return False  # a migration's historical model: the schema may not be there yet
    if meta.app_label in PRIVATE_APPS:
        return False
    # An auto-created through table belongs to its models: a page's or document's relations.
    return meta.label not in _ignored_labels()


def shown_to_members(model) -> bool:
    """Whether a write to ``model`` may change what a signed-in reader's page shows, beyond the
    content (the listing generation follows that)."""
    meta = model._meta
    if meta.apps is not apps or meta.app_label in UNSEEN_APPS:
        return False
    return meta.label not in UNSEEN_MODELS


#: A save of only these fields of a user changes nothing a reader page shows (a sign-in's).
_USER_FIELDS_UNSEEN = frozenset({"last_login"})


def _saved_or_deleted(sender, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields and sender._meta.label == "auth.User" and update_fields <= _USER_FIELDS_UNSEEN:
        return
    _changed(sender)


def _relation_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        # The instance's model and the through table's: a user's groups are ``auth``'s.
        _changed(type(instance))


def _changed(model) -> None:
    if shown_to_visitors(model):
        bump_generation()
    elif shown_to_members(model):
        # A content write leaves the stamp alone: member pages are keyed by the generation too.
        MemberPagesStamp.change()


def connect() -> None:
    post_save.connect(_saved_or_deleted, dispatch_uid="visitor_content_saved")
    post_delete.connect(_saved_or_deleted, dispatch_uid="visitor_content_deleted")
    m2m_changed.connect(_relation_changed, dispatch_uid="visitor_content_relation")
