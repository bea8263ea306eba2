"""Checking the audit chain: the first entry that was altered, inserted or removed.

The walk goes in sequence order in chunks (keyset pagination on the unique sequence), so a year
of entries never sits in memory at once and no server-side cursor is needed.

Every entry is signed with a key the database does not hold (``cms.audit.keys``), so a history
rewritten from some entry on is caught without help. What the chain alone cannot show is a
tail cut off after the last entry (what is left is still a valid chain), nor a rewrite by
someone who also holds the key: for those, keep the head printed by ``verify_audit_log``
somewhere else and pass it back as an ``anchor``: the entry must still be there, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import chain
from .keys import Keyring, keyring
from .models import AuditEntry

DEFAULT_CHUNK_SIZE = 2000


# A row signed at a higher sequence than it stands at means earlier rows were deleted and the
# rest renumbered; the verifier looks this far back for where it was signed.
RENUMBERING_SEARCH = 1000


class Problem:
    ALTERED = "altered"
    INSERTED = "inserted"
    REMOVED = "removed"
    UNKNOWN_KEY = "unknown key"


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    kind: str  # one of Problem.*
    message: str


@dataclass(frozen=True)
class Anchor:
    """An entry known to have existed with this hash (e.g. a head noted down last month)."""

    sequence: int
    entry_hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``"SEQUENCE:HASH"``, as ``verify_audit_log`` prints the head."""
        sequence, _colon, entry_hash = text.strip().partition(":")
        if not sequence.isdigit() or len(entry_hash) != 64:
            raise ValueError("an anchor looks like 1234:<64 hex digits>")
        return cls(int(sequence), entry_hash.lower())


@dataclass(frozen=True)
class Legacy:
    """The unkeyed entries written before the chain was keyed: how many, and the first keyed
    entry after them, whose signature covers them as they stood then (``None``: none yet)."""

    entries: int = 0
    sealed_by: int | None = None

    def after(self, entry: AuditEntry) -> Legacy:
        if entry.hash_format == chain.LEGACY_HASH_FORMAT:
            return Legacy(self.entries + 1, None)
        return self if self.sealed_by is not None else Legacy(self.entries, entry.sequence)

    def summary(self) -> str:
        if not self.entries:
            return ""
        if self.sealed_by is not None:
            return (
                f"{self.entries} legacy entries (unkeyed, from before the chain was keyed) are "
                f"covered by the signature of entry {self.sealed_by}: they are as they stood "
                "when it was written, but nothing proves how they got there"
            )
        return (
            f"{self.entries} legacy entries (unkeyed) and no keyed entry after them: anyone who "
            "can write the table could have rewritten them"
        )


@dataclass(frozen=True)
class VerificationResult:
    entries_checked: int
    head_sequence: int | None
    head_hash: str
    problem: ChainProblem | None
    legacy: Legacy = Legacy()

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        if self.problem is None:
            head = f"; head {self.head_sequence}:{self.head_hash}" if self.head_sequence else ""
            legacy = f". {self.legacy.summary()}" if self.legacy.entries else ""
            return f"{self.entries_checked} entries verified, chain intact{head}{legacy}"
        return (
            f"Audit chain broken at entry {self.problem.sequence} ({self.problem.kind}): "
            f"{self.problem.message} ({self.entries_checked} entries before it verified)"
        )


def entries_in_order(chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[AuditEntry]:
    after = None
    while True:
        chunk_query = AuditEntry.objects.order_by("sequence")
        if after is not None:
            chunk_query = chunk_query.filter(sequence__gt=after)
        chunk = list(chunk_query[:chunk_size])
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].sequence


def _genuine(entry: AuditEntry, keys: Keyring, **overrides) -> bool:
    """Is ``entry`` signed as it stands (or with ``overrides``)? False when it cannot be told."""
    try:
        return chain.matches(entry, keys, **overrides)
    except (chain.UnknownKey, TypeError, ValueError):
        return False


def _sequences_removed_before(entry: AuditEntry, keys: Keyring) -> int:
    """How many entries were removed before ``entry`` if later ones were renumbered to hide the
    gap: the ``j`` for which ``entry`` is genuine at its sequence + ``j`` (0 if none is)."""
    for removed in range(1, RENUMBERING_SEARCH + 1):
        if _genuine(entry, keys, sequence=entry.sequence + removed):
            return removed
    return 0


def _problem_with(entry, following, expected_sequence, previous_hash, keys, legacy):
    if entry.sequence > expected_sequence:
        missing = (
            f"entry {expected_sequence} is"
            if entry.sequence == expected_sequence + 1
            else f"entries {expected_sequence} to {entry.sequence - 1} are"
        )
        return ChainProblem(
            expected_sequence,
            Problem.REMOVED,
            f"{missing} missing: the chain jumps from {expected_sequence - 1} to {entry.sequence}",
        )
    if entry.sequence < expected_sequence:
        return ChainProblem(
            entry.sequence,
            Problem.INSERTED,
            f"sequence {entry.sequence} comes before the first entry (1)",
        )
    try:
        intact = chain.matches(entry, keys)
    except chain.UnknownKey as unknown:
        return ChainProblem(
            entry.sequence,
            Problem.UNKNOWN_KEY,
            f"it is signed with key {unknown.key_id!r}, which is not configured: add that key "
            "to TRUSTPORTAL_AUDIT_KEYS to verify it (or the key id was edited)",
        )
    except (TypeError, ValueError) as error:  # an unknown format, a value JSON cannot hold
        return ChainProblem(entry.sequence, Problem.ALTERED, f"cannot be hashed: {error}")
    downgraded = legacy.sealed_by is not None and entry.hash_format == chain.LEGACY_HASH_FORMAT
    linked = entry.previous_hash == previous_hash
    if intact and linked and not downgraded:
        return None
    before = "the genesis value" if expected_sequence == 1 else f"entry {expected_sequence - 1}"
    # Whatever is wrong with this row, if the next one is genuine right here, in this row's
    # place and chained to its predecessor, then this row is one that was slipped in (and the
    # later rows renumbered to make room).
    if following is not None and _genuine(
        following, keys, sequence=expected_sequence, previous_hash=previous_hash
    ):
        return ChainProblem(
            entry.sequence,
            Problem.INSERTED,
            f"the entry after it was signed as entry {expected_sequence}, chained to {before}: "
            "this row was inserted and the later ones renumbered",
        )
    if not intact:
        removed = _sequences_removed_before(entry, keys)
        if removed:
            missing = (
                f"entry {expected_sequence} is"
                if removed == 1
                else f"entries {expected_sequence} to {expected_sequence + removed - 1} are"
            )
            return ChainProblem(
                expected_sequence,
                Problem.REMOVED,
                f"{missing} missing: entry {entry.sequence} was signed as entry "
                f"{entry.sequence + removed}, so the later entries were renumbered to hide it",
            )
    keyed = entry.hash_format == chain.KEYED_HASH_FORMAT
    if keyed and not linked and legacy.entries and legacy.sealed_by is None:
        # The first keyed entry signed the legacy chain as it stood; it stands otherwise now.
        # Which legacy entry changed cannot be told: anyone could recompute their hashes.
        return ChainProblem(
            expected_sequence - 1,
            Problem.ALTERED,
            f"the legacy (unkeyed) entries up to {expected_sequence - 1} are not those entry "
            f"{entry.sequence} was signed after: they were rewritten",
        )
    if not linked:
        return ChainProblem(
            entry.sequence,
            Problem.INSERTED,
            f"its previous_hash does not match {before}: a forged entry was inserted here, "
            f"or {before} was replaced",
        )
    if downgraded:
        return ChainProblem(
            entry.sequence,
            Problem.ALTERED,
            "an unkeyed (legacy) entry after keyed ones: the log was rewritten from here with "
            "plain SHA-256 hashes",
        )
    how = "edited" if entry.hash_format == chain.LEGACY_HASH_FORMAT else "edited, or forged"
    return ChainProblem(
        entry.sequence, Problem.ALTERED, f"its content does not match its hash (the row was {how})"
    )


def _with_following(entries: Iterator[AuditEntry]):
    """Each entry with the one after it (``None`` after the last)."""
    current = next(entries, None)
    while current is not None:
        following = next(entries, None)
        yield current, following
        current = following


def verify(
    anchor: Anchor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    entries: Iterable[AuditEntry] | None = None,
):
    """Walk the whole chain; return a ``VerificationResult`` naming the first problem found.

    ``entries``, in sequence order, are checked instead of the table's: rows not saved yet,
    such as those of a portal archive before it is imported."""
    keys = keyring()
    expected_sequence, previous_hash, checked = 1, chain.GENESIS_HASH, 0
    legacy = Legacy()
    if entries is None:
        entries = entries_in_order(chunk_size)
    for entry, following in _with_following(iter(entries)):
        problem = _problem_with(entry, following, expected_sequence, previous_hash, keys, legacy)
        if problem is None and anchor and entry.sequence == anchor.sequence:
            if entry.entry_hash != anchor.entry_hash:
                problem = ChainProblem(
                    entry.sequence,
                    Problem.ALTERED,
                    "its hash differs from the anchor: the log was rewritten from here on",
                )
        if problem is not None:
            return VerificationResult(
                checked, expected_sequence - 1 or None, previous_hash, problem, legacy
            )
        legacy = legacy.after(entry)
        expected_sequence, previous_hash = entry.sequence + 1, entry.entry_hash
        checked += 1
    head = expected_sequence - 1
    if anchor and anchor.sequence > head:
        return VerificationResult(
            checked,
            head,
            previous_hash,
            ChainProblem(
                anchor.sequence,
                Problem.REMOVED,
                f"the chain ends at {head} but the anchor shows entry {anchor.sequence} existed",
            ),
            legacy,
        )
    return VerificationResult(checked, head or None, previous_hash, None, legacy)
