"""A member's entitlement profile: what the access policy needs to know about one user, read
from the database once and kept across requests until one of its inputs changes.

Its inputs: the user (active or not), their approved membership and its organization, their
groups, their granted access requests, the restricted documents' lists of organizations and
groups, and whatever the plugins' access rules read (the NDA plugin: acceptances, versions,
offline agreements; ``AccessRule.input_models``). A write to any of them changes the
**entitlement stamp** (``EntitlementStamp``) in the writer's own transaction; a profile is
cached under the user and the stamp, so the next request after a grant, a revocation, a new
membership or an NDA acceptance reads a new stamp and works the profile out afresh. What
changes by the clock alone (a grant's expiry, an agreement's last day, an NDA version taking
effect) bounds the cached profile's life (``valid_until``).

Members whose profiles are equal (the same organization standing, NDA state and entitled
restricted documents) are answered alike by the policy: ``sharing_key`` names that class, and
answers built only through the policy may be shared among them (``sites/visitor_cache.py``).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache as shared_cache
from django.db.models import Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from cms.models import (
    AccessLevel,
    AccessRequest,
    EntitlementStamp,
    Membership,
    Organization,
    TrustDocument,
    organization_of,
)
from cms.plugins import registry

#: Entitled restricted documents kept in a profile as a list; a reader entitled to more (a
#: rule granting every restricted document) is asked through the database's subqueries instead.
MAX_LISTED_ENTITLEMENTS = 500

#: How long a profile is kept at most, whatever its stamp (an entry nobody reads again expires).
PROFILE_CACHE_SECONDS = 3600


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@dataclass(frozen=True)
class EntitlementProfile:
    signed_in: bool
    has_organization: bool
    nda_ok: bool
    #: The NDA version the user holds, as recorded with each download ("" if none).
    nda_label: str
    #: Restricted documents (live or not) the user is entitled to by any path; None when there
    #: are more than ``MAX_LISTED_ENTITLEMENTS`` (the policy then asks the database).
    entitled_ids: frozenset[int] | None
    #: Of those, the ones granted to the user personally (access requests, rules); None
    #: likewise.
    granted_ids: frozenset[int] | None
    #: When the profile changes by the clock alone; None if it does not.
    valid_until: datetime | None
    #: The user, for what cannot be listed (``entitled_ids`` None) and so cannot be shared.
    user_id: int | None = None

    @cached_property
    def sharing_key(self) -> str:
        """Equal for two users the policy answers alike: everything but the label (recorded,
        never shown in an answer) and, when the entitlements are listed, the user."""
        entitled = (
            ",".join(map(str, sorted(self.entitled_ids)))
            if self.entitled_ids is not None
            else f"user {self.user_id}"
        )
        described = f"{self.signed_in}|{self.has_organization}|{self.nda_ok}|{entitled}"
        return hashlib.sha256(described.encode()).hexdigest()[:32]

    def fresh(self) -> bool:
        return self.valid_until is None or timezone.now() < self.valid_until


ANONYMOUS = EntitlementProfile(False, False, False, "", frozenset(), frozenset(), None)


# --- Reading the inputs ----------------------------------------------------------------------


def entitlement_rows(user, personal_only: bool = False) -> list[tuple[QuerySet, str]]:
    """``[(rows, their document column)]``: the rows that entitle ``user`` to restricted
    documents, one queryset per path: their granted access requests, their groups on a
    document's list, their organization on it (``personal_only``: the first alone)."""
    paths = [(AccessRequest.granted().filter(user=user).order_by(), "document_id")]
    if personal_only:
        return paths
    groups = TrustDocument.restricted_groups.through.objects.filter(group__user=user)
    paths.append((groups, "trustdocument_id"))
    organization = organization_of(user) if is_signed_in(user) else None
    if organization is not None:
        organizations = TrustDocument.restricted_organizations.through.objects.filter(
            organization_id=organization.pk
        )
        paths.append((organizations, "trustdocument_id"))
    return paths


def rule_conditions(user) -> list[Q]:
    """The conditions on ``TrustDocument`` under which the plugins' rules entitle ``user``."""
    conditions = []
    for rule in registry.access_rules():
        extra = rule.restricted_visible_q(user)
        if extra is not None:
            conditions.append(extra)
    return conditions


def _entitled_ids(user, personal_only: bool) -> list[int]:
    ids = [rows.values(column) for rows, column in entitlement_rows(user, personal_only)]
    union = ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0]
    condition = Q(pk__in=union)
    for extra in rule_conditions(user):
        # In a subquery of its own: a rule's condition may span a many-valued relation.
        condition |= Q(pk__in=TrustDocument.objects.filter(extra).values("pk"))
    entitled = TrustDocument.objects.filter(condition, access_level=AccessLevel.RESTRICTED)
    return list(entitled.order_by("pk").values_list("pk", flat=True)[: MAX_LISTED_ENTITLEMENTS + 1])


def _expiry(user) -> datetime | None:
    moments = list(
        AccessRequest.granted()
        .filter(user=user, expires_at__isnull=False)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)[:1]
    )
    for rule in registry.access_rules():
        moment = rule.entitlement_expires(user)
        if moment is not None:
            moments.append(moment)
    return min(moments, default=None)


def _worked_out(user) -> EntitlementProfile:
    has_organization = organization_of(user) is not None
    rules = registry.access_rules()
    nda_ok = has_organization and any(rule.nda_satisfied(user) for rule in rules)
    label = next((lbl for rule in rules if (lbl := rule.accepted_nda_label(user))), "")
    entitled = _entitled_ids(user, personal_only=False)
    granted = _entitled_ids(user, personal_only=True)
    return EntitlementProfile(
        signed_in=True,
        has_organization=has_organization,
        nda_ok=nda_ok,
        nda_label=label,
        entitled_ids=_listed(entitled),
        granted_ids=_listed(granted),
        valid_until=_expiry(user),
        user_id=user.pk,
    )


def _listed(ids: list[int]) -> frozenset[int] | None:
    return frozenset(ids) if len(ids) <= MAX_LISTED_ENTITLEMENTS else None


# --- Kept across requests --------------------------------------------------------------------

#: Changes made by this process: a profile remembered on a user object is worked out again
#: after any of them (a test, a shell or a job that grants and then asks, with one object).
_local_changes = itertools.count(1)
_local_change = 0


def profile_of(user) -> EntitlementProfile:
    """``user``'s profile: remembered on the user object for this process's unchanged inputs,
    else from the shared cache under the current stamp, else worked out and kept there."""
    if not is_signed_in(user):
        return ANONYMOUS
    remembered = getattr(user, "_trustportal_profile", None)
    if remembered is not None and remembered[0] == _local_change and remembered[1].fresh():
        return remembered[1]
    # Through the attribute, not ``__dict__``: a request's user is a lazy object.
    stamp = getattr(user, "_trustportal_stamp", None)
    if stamp is None:
        stamp = EntitlementStamp.current()
    else:
        del user._trustportal_stamp  # used once
    key = f"trustportal:profile:v1:{user.pk}:{stamp}"
    profile = _recent.get(key)
    if profile is None or not profile.fresh():
        profile = shared_cache.get(key)
        if profile is None or not profile.fresh():
            # Work it out from what this user object does not already remember.
            for attribute in ("_trustportal_organization", "_trustportal_nda_ok"):
                user.__dict__.pop(attribute, None)
            profile = _worked_out(user)
            timeout = PROFILE_CACHE_SECONDS
            if profile.valid_until is not None:
                left = (profile.valid_until - timezone.now()).total_seconds()
                timeout = max(1, min(timeout, int(left)))
            shared_cache.set(key, profile, timeout)
        _remember(key, profile)
    user._trustportal_profile = (_local_change, profile)
    return profile


def remember_stamp(user, stamp: int) -> None:
    """The entitlement stamp, read with ``user`` just now (a member's token lookup reads both
    in one query): ``user``'s profile is looked up under it once, instead of reading it again.
    Only for a user object loaded by this request."""
    user._trustportal_stamp = stamp


#: Profiles this process read or worked out lately, under the same key as in the shared cache:
#: a member's next request reads only the stamp, not the shared cache too. The key holds the
#: stamp, read from the database on every request, so a change anywhere is seen here at once;
#: the stamp is random, so no rolled-back change hands back a number kept here.
_recent: dict[str, EntitlementProfile] = {}
RECENT_PROFILES = 2048


def _remember(key: str, profile: EntitlementProfile) -> None:
    if len(_recent) >= RECENT_PROFILES:
        try:
            del _recent[next(iter(_recent))]  # the oldest (dicts keep their order)
        except (KeyError, RuntimeError, StopIteration):  # another thread changed it meanwhile
            pass
    _recent[key] = profile


def forget_recent_profiles() -> None:
    """For tests, which clear the shared cache between them: this process's copies too."""
    _recent.clear()


def inputs_changed() -> None:
    """Make every cached profile unreachable, in the caller's transaction. For writes that send
    no signal (``QuerySet.update``, ``bulk_create``) to an input."""
    global _local_change
    EntitlementStamp.change()
    _local_change = next(_local_changes)


# --- Which writes change a profile ------------------------------------------------------------

#: A user's own saves that change nothing of their entitlement (a sign-in's last_login).
_USER_FIELDS_IGNORED = frozenset({"last_login", "password", "first_name", "last_name", "email"})


def _core_inputs() -> frozenset[str]:
    User = get_user_model()
    return frozenset(
        {
            User._meta.label,
            User.groups.through._meta.label,
            Group._meta.label,
            Membership._meta.label,
            Organization._meta.label,
            AccessRequest._meta.label,
            TrustDocument._meta.label,
            TrustDocument.restricted_groups.through._meta.label,
            TrustDocument.restricted_organizations.through._meta.label,
        }
    )


def input_labels() -> frozenset[str]:
    return _inputs_with(registry.installed_plugins())


@cache
def _inputs_with(plugins) -> frozenset[str]:
    # Once per set of plugins (tests install one for a while), not on every write.
    labels = set(_core_inputs())
    for rule in registry.access_rules():
        labels.update(rule.input_models())
    return frozenset(labels)


def _is_input(model) -> bool:
    meta = model._meta
    # A migration's historical model: the stamp's table may not be there yet.
    return meta.apps is apps and meta.label in input_labels()


def _saved(sender, instance=None, raw=False, update_fields=None, **kwargs):
    if raw or not _is_input(sender):
        return
    if (
        sender is get_user_model()
        and update_fields is not None
        and set(update_fields) <= _USER_FIELDS_IGNORED
    ):
        return
    inputs_changed()


def _deleted(sender, raw=False, **kwargs):
    if _is_input(sender):
        inputs_changed()


def _relation_changed(sender, action, **kwargs):
    if action.startswith("post_") and _is_input(sender):
        inputs_changed()


def connect() -> None:
    post_save.connect(_saved, dispatch_uid="entitlement_input_saved")
    post_delete.connect(_deleted, dispatch_uid="entitlement_input_deleted")
    m2m_changed.connect(_relation_changed, dispatch_uid="entitlement_input_relation")


__all__ = [
    "ANONYMOUS",
    "EntitlementProfile",
    "entitlement_rows",
    "inputs_changed",
    "is_signed_in",
    "profile_of",
    "rule_conditions",
]
