"""Writing to the audit log: ``record`` one entry, ``new_download_id`` for a served copy.

``record`` never swallows an error: a caller about to serve a file must refuse it when its
entry could not be written. Call it outside long transactions: on PostgreSQL the append holds a
lock on the audit table until the surrounding transaction ends.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.utils import timezone

from cms.models import organization_of

from . import chain
from .models import AuditEntry, Outcome

USER_AGENT_MAX_LENGTH = AuditEntry._meta.get_field("user_agent").max_length
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DOWNLOAD_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{6,32}$")


def new_download_id() -> str:
    """A random, URL-safe id of 12 characters (72 bits) to print on a served copy."""
    return secrets.token_urlsafe(9)


def _normalized_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless ``TRUSTPORTAL_TRUSTED_PROXY_COUNT`` proxies
    we run sit in front of us, in which case the address the outermost of them saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so with N of them the client is the N-th entry from the right; anything further left was
    sent by the client and could be forged.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    trusted_proxies = int(getattr(settings, "TRUSTPORTAL_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted_proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            return _normalized_ip(hops[-trusted_proxies])
    return _normalized_ip(remote_addr)


def _printable(text: str, max_length: int) -> str:
    # Control characters (NUL above all, which PostgreSQL refuses) would make the write fail
    # and so refuse the user's download for a header they control; drop them instead.
    return "".join(ch for ch in str(text) if ch.isprintable())[:max_length]


def _json_safe(value):
    """``value`` as it will come back from the JSON column, so the hash matches what is stored."""
    value = json.loads(json.dumps(value, cls=DjangoJSONEncoder))

    def strip_nul(item):
        if isinstance(item, str):
            return item.replace("\x00", "")
        if isinstance(item, list):
            return [strip_nul(element) for element in item]
        if isinstance(item, dict):
            return {strip_nul(key): strip_nul(element) for key, element in item.items()}
        return item

    return strip_nul(value)


def _field_max(name: str) -> int:
    return AuditEntry._meta.get_field(name).max_length


def _describe_user(entry: AuditEntry, user) -> None:
    if not (user and user.is_authenticated):
        return
    entry.user = user
    entry.username = _printable(user.get_username(), _field_max("username"))
    entry.user_email = _printable(getattr(user, "email", "") or "", _field_max("user_email"))
    organization = organization_of(user)
    if organization is not None:
        entry.organization_id = organization.pk
        entry.organization_name = _printable(organization.name, _field_max("organization_name"))


def _describe_subject(entry: AuditEntry, document, version) -> None:
    if version is not None:
        entry.version_id = version.pk
        entry.version_label = _printable(version.version_label, _field_max("version_label"))
        document = document if document is not None else version.document
    if document is not None:
        entry.document_id = document.pk
        entry.document_title = _printable(document.title, _field_max("document_title"))


def record(
    action: str,
    *,
    outcome: str,
    request=None,
    user=None,
    document=None,
    version=None,
    nda_version: str = "",
    download_id: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log and return it (saved, hashed, chained).

    ``user`` defaults to the request's signed-in user; ``document`` to ``version.document``.
    Raises ``ValueError`` on an invalid argument and any database error as it comes: the
    caller must then refuse what it was about to do.
    """
    action, outcome = str(action), str(outcome)
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"invalid audit action {action!r}")
    if outcome not in Outcome.values:
        raise ValueError(f"invalid audit outcome {outcome!r}")
    if download_id is not None and not DOWNLOAD_ID_PATTERN.match(download_id):
        raise ValueError(f"invalid download id {download_id!r}")

    entry = AuditEntry(
        action=action,
        outcome=outcome,
        nda_version=_printable(nda_version or "", _field_max("nda_version")),
        download_id=download_id,
        detail=_json_safe(detail or {}),
    )
    if user is None and request is not None:
        user = getattr(request, "user", None)
    _describe_user(entry, user)
    _describe_subject(entry, document, version)
    if request is not None:
        entry.ip = client_ip(request)
        entry.user_agent = _printable(
            request.META.get("HTTP_USER_AGENT", ""), USER_AGENT_MAX_LENGTH
        )
    _append(entry)
    return entry


def _append(entry: AuditEntry) -> None:
    """Give ``entry`` the next sequence number and link it to the current head, one writer at a
    time. The unique ``previous_hash`` and ``sequence`` columns back this up: a writer that
    somehow raced would fail rather than fork the chain."""
    alias = router.db_for_write(AuditEntry)
    with transaction.atomic(using=alias):
        _lock_for_append(alias)
        head = (
            AuditEntry.objects.using(alias)
            .order_by("-sequence")
            .values("sequence", "entry_hash")
            .first()
        )
        entry.sequence = head["sequence"] + 1 if head else 1
        entry.previous_hash = head["entry_hash"] if head else chain.GENESIS_HASH
        entry.created_at = timezone.now()
        entry.seal()
        entry.save(using=alias)


def _lock_for_append(alias: str) -> None:
    connection = connections[alias]
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Not SELECT ... FOR UPDATE on the head row: a writer waiting on that lock would
            # still read the old head afterwards, and an empty table has no row to lock.
            # EXCLUSIVE mode blocks other writers but not readers.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        elif connection.vendor == "sqlite":
            # A write statement (even one matching no row) takes SQLite's write lock now, before
            # the head is read, so a second writer waits here instead of reading a stale head.
            cursor.execute(f"UPDATE {table} SET sequence = sequence WHERE 0 = 1")
        else:
            # Best effort elsewhere; the unique columns still refuse a forked chain.
            head = AuditEntry.objects.using(alias).select_for_update().order_by("-sequence")
            list(head.values_list("pk", flat=True)[:1])
