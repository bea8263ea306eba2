"""The one access policy. Every surface asks these functions; they work on querysets so that
what a user may not see is never fetched.

* metadata (title, summary, file names, snippets, facet counts): ``visible_documents`` /
  ``can_view``. Public, signed-in and NDA documents show their metadata to everyone; restricted
  documents only to entitled users, except "listed" ones whose title everyone may see.
* search: ``reading_rights``: a query matches a title for whoever sees it, a summary and terms
  for ``described_documents``, the text of files for ``readable_documents``.
* files: ``can_download`` / ``downloadable_versions``. Public: anyone. Signed-in: a signed-in
  user. NDA: a member of an organization for whom an access rule (the NDA plugin) says the
  current NDA is accepted; with no such rule installed nobody gets NDA files. Restricted:
  entitled organizations, groups, or users a rule entitles. Personal accounts (no organization)
  get at most ``TRUSTPORTAL_PERSONAL_ACCOUNT_LEVELS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cms.models import AccessLevel, AccessRequest, DocumentVersion, TrustDocument
from cms.plugins import registry

from .profile import entitlement_rows, is_signed_in, profile_of, rule_conditions


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Why not, for the reader: "sign_in", "organization", "nda", "restricted", "expired",
    #: "not_found", or "" when allowed.
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def personal_levels() -> set[str]:
    return set(getattr(settings, "TRUSTPORTAL_PERSONAL_ACCOUNT_LEVELS", ["public", "signed_in"]))


def _entitled_q(user, correlated: bool = True, personal_only: bool = False) -> Q:
    """Condition under which ``user`` is entitled to a restricted document: a path of
    ``profile.entitlement_rows``, or an access rule (a plugin) that grants it.

    Usually the ids their entitlement profile lists (``cms/access/profile.py``). For a reader
    entitled to more than a profile lists, the same paths in two shapes, for the two ways a
    query meets them:

    * ``correlated`` (the default): each path a correlated ``EXISTS`` on the document's row.
      For entitlement OR-ed with what is open to everyone (``visible_documents``): the database
      asks it only of the restricted rows it is about to return, an index probe each, and the
      rest of the query keeps its plan (index lookups by filter or by search match). An
      uncorrelated ``pk IN (entitled ids)`` there makes the planner scan the whole table.
    * not correlated: ``pk IN`` the union of the paths' document ids. For queries of the
      entitled documents alone (``entitled_restricted_documents``): the database starts from the
      user's own rows, and estimates their number well, where its estimate of several
      ``EXISTS`` OR-ed together is far too high for the facet counts built on it.
    """
    if not is_signed_in(user):
        return Q(pk__in=[])
    profile = profile_of(user)
    listed = profile.granted_ids if personal_only else profile.entitled_ids
    if listed is not None:
        # The member's profile lists them (the usual case: a few dozen at most): a list of ids
        # costs the database nothing to plan around, in either shape.
        return Q(pk__in=sorted(listed))
    paths = entitlement_rows(user, personal_only)
    if correlated:
        condition = Q()
        for rows, column in paths:
            condition |= Q(Exists(rows.filter(**{column: OuterRef("pk")})))
    else:
        ids = [rows.values(column) for rows, column in paths]
        condition = Q(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])
    for extra in rule_conditions(user):
        # In a subquery of its own: a rule's condition may span a many-valued relation, whose
        # join would repeat the caller's rows (and miscount facets) if it were OR-ed in here.
        granted = TrustDocument.objects.filter(extra)
        condition |= (
            Q(Exists(granted.filter(pk=OuterRef("pk"))))
            if correlated
            else Q(pk__in=granted.values("pk"))
        )
    return condition


def granted_document_ids(user) -> list[int]:
    """Live restricted documents granted to ``user`` one by one (not through their organization
    or groups): what a search engine's access filter lists by id."""
    if not is_signed_in(user):
        return []
    granted = TrustDocument.objects.filter(
        _entitled_q(user, personal_only=True), access_level=AccessLevel.RESTRICTED, live=True
    )
    return sorted(granted.values_list("pk", flat=True).distinct())


def visible_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Live documents whose metadata ``user`` may see (restricted-and-hidden ones filtered out)."""
    queryset = TrustDocument.objects.all() if queryset is None else queryset
    return queryset.filter(_visible_q(user))


def _open_or_entitled(user, queryset: QuerySet | None, open_to_all: Q) -> QuerySet:
    """Live documents of ``queryset`` (all when None) that are ``open_to_all`` or restricted
    ones ``user`` is entitled to."""
    queryset = TrustDocument.objects.all() if queryset is None else queryset
    return queryset.filter(_open_or_entitled_q(user, open_to_all))


def _open_or_entitled_q(user, open_to_all: Q) -> Q:
    """``_open_or_entitled`` as a condition on a document's row."""
    if not is_signed_in(user):
        return Q(live=True) & open_to_all
    # (restricted AND entitled): the database tests the cheap level first, so the entitlement
    # subqueries run for restricted rows only.
    return Q(live=True) & (
        open_to_all | (Q(access_level=AccessLevel.RESTRICTED) & _entitled_q(user))
    )


def described_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Live documents ``user`` may see more of than a title: everything but restricted ones,
    and the restricted ones they are entitled to. What describes a document or its changes
    (summary, what changed in a version, update notes) is shown only for these: a listed
    restricted document shows its title alone to everyone else."""
    return _open_or_entitled(user, queryset, ~Q(access_level=AccessLevel.RESTRICTED))


def readable_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Live documents whose files ``user`` may read, and so the text of those files: what
    ``downloadable_versions`` allows, document by document (the level, and for restricted
    documents an entitlement). Search matches the words of a file for these only."""
    queryset = TrustDocument.objects.all() if queryset is None else queryset
    return queryset.filter(_readable_q(user))


def _visible_q(user) -> Q:
    """``visible_documents`` as a condition on a document's row."""
    open_to_all = ~Q(access_level=AccessLevel.RESTRICTED) | Q(restricted_listed=True)
    return _open_or_entitled_q(user, open_to_all)


def _readable_q(user) -> Q:
    """``readable_documents`` as a condition on a document's row."""
    allowed = Viewer.of(user).allowed_levels()
    levels = Q(access_level__in=allowed - {AccessLevel.RESTRICTED})
    if AccessLevel.RESTRICTED in allowed:
        levels |= Q(access_level=AccessLevel.RESTRICTED) & _entitled_q(user)
    return _visible_q(user) & levels


@dataclass(frozen=True)
class ReadingRights:
    """What of each visible document a search may match for one reader (see ``reading_rights``):
    every title; summary and terms of the documents it ``describes``; the text of the files of
    those it ``reads``. Both are conditions on a document's row, asked of each row as it is
    read (its columns; for a restricted row, the ids the member's profile lists or a probe of
    each entitlement path on that row), never a subquery over the whole table."""

    describes: Q
    reads: Q

    @property
    def described(self) -> QuerySet:
        """The ids of the documents it describes."""
        return TrustDocument.objects.filter(self.describes).values("pk")

    @property
    def readable(self) -> QuerySet:
        """The ids of the documents whose files' text it reads."""
        return TrustDocument.objects.filter(self.reads).values("pk")


def reading_rights(user) -> ReadingRights:
    """The parts of documents ``user`` may read, as querysets of document ids to use in
    subqueries: search answers only from what its reader could read on the page, so that
    guessing words tells nothing about a summary or a file they may not see."""
    return ReadingRights(
        describes=_open_or_entitled_q(user, ~Q(access_level=AccessLevel.RESTRICTED)),
        reads=_readable_q(user),
    )


def unrestricted_reading_rights(user) -> tuple[ReadingRights, tuple[str, ...]]:
    """``reading_rights`` for documents that are not restricted, where they follow from the
    reader's levels alone (no entitlement): ``(rights, those levels)``. What is counted under
    them is the same for every reader with the same levels, and may be shared among them."""
    levels = tuple(sorted(Viewer.of(user).allowed_levels() - {AccessLevel.RESTRICTED}))
    unrestricted = ~Q(access_level=AccessLevel.RESTRICTED)
    readable = unrestricted & Q(access_level__in=levels)
    rights = ReadingRights(describes=unrestricted, reads=readable)
    return rights, levels


def everyone_documents(queryset: QuerySet | None = None) -> QuerySet:
    """Live documents whose metadata everyone may see, signed in or not."""
    return visible_documents(None, queryset)


def entitled_restricted_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """Live restricted documents ``user`` is entitled to, listed or not: what they may see (and
    read) beyond every reader who is not entitled. None for most readers, so the facet counts
    of everything else are shared among them (``search/facets.py``)."""
    if not is_signed_in(user):
        return TrustDocument.objects.none()
    queryset = TrustDocument.objects.all() if queryset is None else queryset
    return queryset.filter(
        _entitled_q(user, correlated=False), live=True, access_level=AccessLevel.RESTRICTED
    )


def title_only_rights() -> ReadingRights:
    """``reading_rights`` of a reader entitled to no restricted document, for restricted
    documents: the title alone (neither their description nor their files). The same for
    every such reader, so what is counted under them may be shared."""
    unrestricted = ~Q(access_level=AccessLevel.RESTRICTED)
    return ReadingRights(describes=unrestricted, reads=unrestricted)


def visible_document_ids_by_user(
    users, document_ids, *, described: bool = False
) -> dict[int, set[int]]:
    """``{user pk: the ids among document_ids whose metadata that user may see}``: the answer of
    ``visible_documents`` for many users at once (a batch of e-mails), in a fixed number of
    queries whatever the number of users (plus what plugin rules without a batch answer ask).
    ``described``: the answer of ``described_documents`` instead (a listed title is not enough)."""
    users = list(users)
    rows = TrustDocument.objects.live().filter(pk__in=list(document_ids))
    rows = list(rows.values_list("pk", "access_level", "restricted_listed"))

    def open_to_all(level, listed):
        return level != AccessLevel.RESTRICTED or (listed and not described)

    open_ids = {pk for pk, level, listed in rows if open_to_all(level, listed)}
    closed = [pk for pk, level, listed in rows if not open_to_all(level, listed)]
    visible = {user.pk: set(open_ids) for user in users}
    signed_in = [user for user in users if is_signed_in(user)]
    if closed and signed_in:
        for user_id, document_id in _entitled_pairs(signed_in, closed):
            visible[user_id].add(document_id)
    return visible


def _entitled_pairs(users: list, document_ids: list[int]) -> set[tuple[int, int]]:
    """``(user id, document id)`` pairs of ``_entitled_q``, for many users: through the
    document's groups, its organizations (approved members), granted access requests and the
    plugins' rules."""
    user_ids = [user.pk for user in users]
    groups = TrustDocument.restricted_groups.through.objects.filter(
        trustdocument_id__in=document_ids, group__user__in=user_ids
    ).values_list("group__user", "trustdocument_id")
    organizations = TrustDocument.restricted_organizations.through.objects.filter(
        trustdocument_id__in=document_ids,
        organization__memberships__user__in=user_ids,
        organization__memberships__approved=True,
    ).values_list("organization__memberships__user", "trustdocument_id")
    requests = AccessRequest.granted().filter(user__in=user_ids, document_id__in=document_ids)
    pairs = {*groups, *organizations, *requests.values_list("user_id", "document_id")}
    for rule in registry.access_rules():
        pairs |= rule.restricted_visible_pairs(users, document_ids)
    return pairs


def organization_documents(organization) -> QuerySet:
    """Live documents whose metadata an organization *as a whole* may see, for what its tools
    receive (webhooks): everything not restricted, and restricted documents entitled to the
    organization itself; never what one member was granted personally (a group, an access
    request) and never what a listed title alone would show."""
    entitled = TrustDocument.objects.filter(restricted_organizations=organization).values("pk")
    return TrustDocument.objects.live().filter(
        ~Q(access_level=AccessLevel.RESTRICTED) | Q(pk__in=entitled)
    )


def can_view(user, document) -> bool:
    return visible_documents(user).filter(pk=document.pk).exists()


def nda_satisfied(user) -> bool:
    if not is_signed_in(user):
        return False
    return any(rule.nda_satisfied(user) for rule in registry.access_rules())


def accepted_nda_label(user) -> str:
    """The NDA version ``user`` holds, as recorded with each download ("" if none)."""
    return profile_of(user).nda_label


def nda_accept_url(request) -> str | None:
    """The page where this reader can accept the NDA (None when no plugin offers one)."""
    for rule in registry.access_rules():
        url = rule.nda_accept_url(request)
        if url:
            return url
    return None


@dataclass(frozen=True)
class Viewer:
    """What the policy needs to know about one user, worked out once per request."""

    signed_in: bool
    has_organization: bool
    nda_ok: bool

    @classmethod
    def of(cls, user) -> Viewer:
        profile = profile_of(user)
        return cls(profile.signed_in, profile.has_organization, profile.nda_ok)

    def allowed_levels(self) -> set[str]:
        """Levels whose files this viewer may have (restricted ones still need entitlement)."""
        if not self.signed_in:
            return {AccessLevel.PUBLIC}
        levels = {AccessLevel.PUBLIC, AccessLevel.SIGNED_IN, AccessLevel.RESTRICTED}
        if self.nda_ok:
            levels.add(AccessLevel.NDA)
        if not self.has_organization:
            levels &= personal_levels() | {AccessLevel.RESTRICTED}
        return levels

    def reason(self, level: str, entitled: bool) -> str:
        """Why this viewer cannot download a document of ``level`` ("" if they can)."""
        if level in self.allowed_levels() and (level != AccessLevel.RESTRICTED or entitled):
            return ""
        if not self.signed_in:
            return "sign_in"
        if level == AccessLevel.RESTRICTED:
            return "restricted"
        if not self.has_organization:
            return "organization"
        return "nda"


def can_access_level(user, document) -> Decision:
    """May ``user`` download files of ``document`` as far as its access level goes?"""
    entitled = False
    if document.access_level == AccessLevel.RESTRICTED and is_signed_in(user):
        entitled = type(document).objects.filter(Q(pk=document.pk) & _entitled_q(user)).exists()
    reason = Viewer.of(user).reason(document.access_level, entitled)
    return Decision(False, reason) if reason else ALLOWED


def retention_cutoff():
    """Superseded versions published on or after this date are still downloadable."""
    return timezone.localdate() - timedelta(days=settings.TRUSTPORTAL_VERSION_RETENTION_DAYS)


def version_available(version, current_version_id) -> bool:
    """The current version is always available; a superseded one for the retention period."""
    if version.pk == current_version_id:
        return True
    return version.published_on is not None and version.published_on >= retention_cutoff()


def can_download(user, version) -> Decision:
    """May ``user`` download ``version`` now? Decided by the same queryset every listing uses
    (so stale in-memory objects cannot disagree with the database); the reason is for the reader."""
    if downloadable_versions(user, DocumentVersion.objects.filter(pk=version.pk)).exists():
        return ALLOWED
    live_and_visible = DocumentVersion.objects.filter(
        pk=version.pk, live=True, document__in=visible_documents(user).values("pk")
    ).exists()
    if not live_and_visible:
        return Decision(False, "not_found")
    document = type(version.document).objects.get(pk=version.document_id)
    decision = can_access_level(user, document)
    return decision if not decision else Decision(False, "expired")


def downloadable_versions(user, queryset: QuerySet) -> QuerySet:
    """Narrow a DocumentVersion queryset to the versions ``user`` may download now: live
    versions of documents whose files they may read (``readable_documents``), the current one
    or one still within its retention period."""
    readable = readable_documents(user).values("pk")
    current_ids = DocumentVersion.current_ids_subquery()
    in_retention = Q(pk__in=current_ids) | Q(published_on__gte=retention_cutoff())
    return queryset.filter(Q(live=True, document__in=readable) & in_retention)


def lock_reasons(user, documents) -> dict[int, str]:
    """``{document pk: why the reader cannot download it}`` for a page of documents, in a fixed
    number of queries whatever the number of documents."""
    viewer = Viewer.of(user)
    entitled = set()
    if documents and viewer.signed_in:
        # Asked whether or not the page holds restricted documents, so the query count of a
        # page never depends on what is on it.
        page = [d.pk for d in documents]
        entitled = set(
            TrustDocument.objects.filter(
                Q(pk__in=page, access_level=AccessLevel.RESTRICTED) & _entitled_q(user)
            ).values_list("pk", flat=True)
        )
    reasons = {}
    for document in documents:
        reason = viewer.reason(document.access_level, document.pk in entitled)
        if reason:
            reasons[document.pk] = reason
    return reasons
