"""What anonymous visitors (and members, on the API) are served, from a cache that is never
stale.

Everyone without a session or a token is shown the same page for the same URL, language and
content: the reader pages, the document pages, search results with their facet counts, the
sitemap and the public reads of the API. This middleware keeps those answers in Django's cache
under a key made of the URL, the host, the language, the day (versions leave their retention
period by the calendar) and the **listing generation**: a number that every write to content
bumps in the writer's own transaction (``search/signals.py``, ``search/content_changes.py``). A
publish, a withdrawal, an access change or a new version therefore makes every earlier answer
unreachable in the same commit; the next request reads the new number and is served fresh.

What may be cached is opted in by view (``VIEWS`` and ``API_ROUTES``), never guessed: a view
that acts on a GET (a confirmation link, a feed behind a secret URL) must never be answered
from the cache. An answer is kept only when it cannot depend on the person asking: a 200, not
streamed, setting no cookie, writing no session, embedding no CSRF token and no CSP nonce.

Members are served from the cache too, on the API's reads that the access policy alone makes
(``MEMBER_API_ROUTES``): the answer is a function of the URL, the content and the member's
**entitlement profile** (``cms/access/profile.py``), so it is kept under the profile's
``sharing_key`` and shared by every member of that profile.

A member's reader pages are kept too, but for their own session only: a page greets the member,
lists the menu entries their groups and roles give them and embeds their CSRF token. It is
kept under a digest of the session (its key, its data: the user, a page's password, and the
CSRF secret the page's tokens are masks of), the member's profile, the listing generation and
the **member pages stamp** (``search.models.MemberPagesStamp``), which a write to anything a
reader page may show beyond the content changes: users, groups, members, a plugin's rows. A
member with messages waiting is not answered from the cache (the page shows them), and a page
that showed or queued a message is not kept. The session's own query reads the stamps and the
generation along (``cms.accounts.sessions``).

A hit costs one query (the generation) and one cache read. A member's hit costs the same: their
token's lookup reads the entitlement stamp and the generation in the same query
(``cms.database.carry_along``), and the profile the stamp names is kept in the process
(``cms/access/profile.py``). A hit of the API still counts against the caller's rate
(``cms.api.throttling``). Each answer carries an ETag (a
hash of its body), so a conditional request is answered ``304`` from the cache too. A view whose
answer is also an event (a document view goes to the audit log for the analytics) names it with
``replay_on_hit``; the event is recorded again on every hit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response

from cms.access.profile import is_signed_in, profile_of, remember_stamp
from cms.api.throttling import AnonymousThrottle, AuthenticatedThrottle
from cms.delivery.links import link_lifetime_seconds
from search.facets import GENERATION_READ, bumped_in_this_transaction, current_generation
from search.models import MEMBER_PAGES_READ

logger = logging.getLogger(__name__)

#: Reader views (``namespace:name``) whose answer to a visitor is the same for every visitor.
VIEWS = frozenset({"wagtail_serve", "portal:document", "portal:search", "sitemap"})

#: Routes of the headless API (several API operations share a name, never a route) answering
#: public reads; each is GET-only for the cache (a POST on the same route is never served).
API_ROUTES = frozenset(
    {
        "api/v3/trust-documents/",
        "api/v3/trust-documents/<slug>/",
        "api/v3/taxonomy/",
        "api/v3/starter-packs/",
        "api/v3/starter-packs/<slug>/",
        "api/v3/industries/",
        "api/v3/industries/<slug>/",
        "api/v3/regions/",
        "api/v3/regions/<slug>/",
        "api/v3/pages/",
        "api/v3/pages/<page_id>/",
    }
)

#: The routes among those whose answer to a member is made by the access policy alone, and is
#: therefore the same for every member with the same entitlement profile
#: (``cms/access/profile.py``): shared among them. (Wagtail's pages API is not: its page
#: privacy is Wagtail's own, by group and password, which no profile describes.)
MEMBER_API_ROUTES = API_ROUTES - {"api/v3/pages/", "api/v3/pages/<page_id>/"}

#: Response headers a cached answer keeps (those set above this middleware are set again on
#: every answer: security headers, CSP, CORS, Vary, Content-Language).
KEPT_HEADERS = ("Content-Type", "Link", "X-Robots-Tag", "Content-Disposition")

#: Bodies larger than this are served but not kept.
MAX_BODY_BYTES = 1024 * 1024

_replays: dict[str, Callable] = {}


def replays(name: str):
    """Register the function that records the event ``name`` again when a cached answer is
    served: ``fn(request, *args)`` with the args the view gave ``replay_on_hit``."""

    def register(function: Callable) -> Callable:
        _replays[name] = function
        return function

    return register


def replay_on_hit(response: HttpResponse, name: str, *args) -> None:
    """Mark ``response``: if it is cached, serving it again records ``name`` (with ``args``,
    plain values) as the view did."""
    response.visitor_cache_replays = [*getattr(response, "visitor_cache_replays", []), (name, args)]


@dataclass(frozen=True)
class Entry:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    session_accessed: bool
    replays: tuple = field(default=())


def enabled() -> bool:
    return settings.TRUSTPORTAL_VISITOR_CACHE_SECONDS > 0


def is_visitor(request) -> bool:
    """No token and no cookie that could make the answer someone's: the session's, the
    messages'. (The CSRF cookie alone changes nothing a cached page shows: a page that embeds a
    token is not kept.)"""
    if request.headers.get("Authorization"):
        return False
    harmless = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return all(name in harmless for name in request.COOKIES)


def cacheable_view(match) -> bool:
    return match is not None and (match.view_name in VIEWS or match.route in API_ROUTES)


def match_is_api(match) -> bool:
    return match.route in API_ROUTES


def audience(request) -> str | None:
    """Whom a cached answer to ``request`` may be shared with: "visitor" (every anonymous
    visitor), "profile:…" (every member with the same entitlement profile, on the API's
    policy-made reads), "session:…" (a member's reader page, for their session alone), or None
    when it may not be cached at all."""
    match = request.resolver_match
    if not cacheable_view(match):
        return None
    if is_visitor(request):
        return "visitor"
    if match.route in MEMBER_API_ROUTES and is_signed_in(request.user):
        return "profile:" + profile_of(request.user).sharing_key
    if match.view_name in VIEWS and _session_member(request):
        return _session_audience(request)
    return None


def _session_member(request) -> bool:
    session = getattr(request, "session", None)
    return (
        session is not None
        and session.session_key is not None
        # The page's CSRF tokens are masks of this secret: without one, the page makes one.
        and bool(request.META.get("CSRF_COOKIE"))
        and is_signed_in(request.user)  # loads the session
        # What the key needs besides, read with the session (``cms.accounts.sessions``); a
        # session that read nothing along (another engine) is not kept.
        and getattr(session, "carried_reads", None) is not None
        and not _messages_waiting(request)
    )


def _session_audience(request) -> str:
    session = request.session
    generation = session.carried_reads[GENERATION_READ]
    member_pages_stamp = session.carried_reads[MEMBER_PAGES_READ]
    remember_stamp(request.user, session.entitlement_stamp)
    request.carried_reads = {**getattr(request, "carried_reads", {}), GENERATION_READ: generation}
    described = json.dumps(
        [session.session_key, request.META["CSRF_COOKIE"], dict(session.items())],
        sort_keys=True,
        default=str,
    )
    return ":".join(
        (
            "session",
            hashlib.sha256(described.encode()).hexdigest(),
            profile_of(request.user).sharing_key,
            str(member_pages_stamp),
        )
    )


def _messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _messages_shown_or_added(request) -> bool:
    # Without loading what is stored: a visitor's page reads no session it does not have.
    storage = getattr(request, "_messages", None)
    return storage is not None and (storage.used or storage.added_new)


def cache_key(request, audience: str = "visitor") -> str:
    described = "\n".join(
        (
            audience,
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            translation.get_language() or "",
            str(current_generation(request)),
            timezone.localdate().isoformat(),
        )
    )
    return "trustportal:visitor:v1:" + hashlib.sha256(described.encode()).hexdigest()


class VisitorCacheMiddleware:
    """Last in ``MIDDLEWARE``: everything above it (sessions, locale, CSRF, messages) runs for
    a cached answer as for a fresh one, and everything below it has nothing left to do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_visitor_cache_key", None)
        if key is not None and self._keepable(request, response):
            self._keep(key, request, response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not enabled():
            return None
        shared_with = audience(request)
        if shared_with is None:
            return None
        key = cache_key(request, shared_with)
        entry = cache.get(key)
        if entry is None:
            request._visitor_cache_key = key
            request._visitor_cache_key_audience = shared_with.partition(":")[0]
            return None
        if match_is_api(request.resolver_match) and not self._within_rate(request, shared_with):
            # A cached answer counts against the caller's rate as a fresh one does; beyond it,
            # the API's own throttle answers its 429 (a refusal is not counted twice).
            return None
        return self._serve(request, entry)

    @staticmethod
    def _within_rate(request, shared_with: str) -> bool:
        if shared_with == "visitor":
            return AnonymousThrottle().allow_request(request)
        # Counted against the token, or the signed-in user, as the API's own throttle counts.
        request.auth = getattr(request, "api_token", None) or request.user
        return AuthenticatedThrottle().allow_request(request)

    # --- a hit ------------------------------------------------------------------------------

    def _serve(self, request, entry: Entry) -> HttpResponse:
        for name, args in entry.replays:
            try:
                _replays[name](request, *args)
            except Exception:  # noqa: BLE001 — as on a miss, an analytics write never fails a read
                logger.exception("Could not record %s for a cached answer", name)
        if entry.session_accessed and hasattr(request, "session"):
            # As on a miss: SessionMiddleware adds Vary: Cookie to what read the session.
            request.session.accessed = True
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        response["ETag"] = entry.etag
        response.visitor_cache_hit = True
        return get_conditional_response(request, etag=entry.etag, response=response)

    # --- a miss -----------------------------------------------------------------------------

    @staticmethod
    def _keepable(request, response) -> bool:
        session = getattr(request, "session", None)
        return (
            # What this transaction wrote (and bumped the number for) a rollback would take
            # back with the number, for the next writer to reuse.
            not bumped_in_this_transaction()
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and len(response.content) <= MAX_BODY_BYTES
            and not (session is not None and session.modified)
            # The page embeds a CSRF token, or an inline script's nonce: someone's. (A member's
            # page is kept for their session alone, under the secret its tokens mask.)
            and (
                not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                or request._visitor_cache_key_audience == "session"
            )
            # It showed a message, or one was added for the next page.
            and not _messages_shown_or_added(request)
            and getattr(request, "_csp_nonce", None) is None
            and not response.has_header("Cache-Control")
            and not response.has_header("Set-Cookie")
        )

    @staticmethod
    def _keep(key: str, request, response) -> None:
        etag = response.get("ETag") or f'"{hashlib.md5(response.content).hexdigest()}"'  # noqa: S324 — an ETag, not a secret
        response["ETag"] = etag
        session = getattr(request, "session", None)
        entry = Entry(
            status=response.status_code,
            content=response.content,
            headers=tuple((name, response[name]) for name in KEPT_HEADERS if name in response),
            etag=etag,
            session_accessed=bool(session is not None and session.accessed),
            replays=tuple(getattr(response, "visitor_cache_replays", ())),
        )
        cache.set(key, entry, lifetime_seconds())


def lifetime_seconds() -> int:
    """How long an answer is kept: the setting, but at most a third of a download link's life,
    so that a link on a cached page still works for most of its life once served."""
    return min(settings.TRUSTPORTAL_VISITOR_CACHE_SECONDS, link_lifetime_seconds() // 3)
