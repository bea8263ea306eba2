"""Checking the audit chain: the first entry that was altered, inserted or removed.

The walk goes in sequence order in chunks (keyset pagination on the unique sequence), so a year
of entries never sits in memory at once and no server-side cursor is needed.

What the chain alone cannot show is a cut-off tail or a history rewritten from some entry on
(both leave a self-consistent chain). For that, keep the head printed by ``verify_audit_log``
somewhere else and pass it back as an ``anchor``: the entry must still be there, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import chain
from .models import AuditEntry

DEFAULT_CHUNK_SIZE = 2000


class Problem:
    ALTERED = "altered"
    INSERTED = "inserted"
    REMOVED = "removed"


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
class VerificationResult:
    entries_checked: int
    head_sequence: int | None
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        if self.problem is None:
            head = f"; head {self.head_sequence}:{self.head_hash}" if self.head_sequence else ""
            return f"{self.entries_checked} entries verified, chain intact{head}"
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


def _problem_with(entry: AuditEntry, expected_sequence: int, previous_hash: str):
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
        intact = entry.is_intact
    except (TypeError, ValueError) as error:  # an unknown format, a value JSON cannot hold
        return ChainProblem(entry.sequence, Problem.ALTERED, f"cannot be hashed: {error}")
    if not intact:
        return ChainProblem(
            entry.sequence,
            Problem.ALTERED,
            "its content does not match its hash (the row was edited)",
        )
    if entry.previous_hash != previous_hash:
        before = "the genesis value" if expected_sequence == 1 else f"entry {entry.sequence - 1}"
        return ChainProblem(
            entry.sequence,
            Problem.INSERTED,
            f"its previous_hash does not match {before}: a forged entry was inserted here, "
            f"or {before} was edited and re-hashed",
        )
    return None


def verify(anchor: Anchor | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE):
    """Walk the whole chain; return a ``VerificationResult`` naming the first problem found."""
    expected_sequence, previous_hash, checked = 1, chain.GENESIS_HASH, 0
    for entry in entries_in_order(chunk_size):
        problem = _problem_with(entry, expected_sequence, previous_hash)
        if problem is None and anchor and entry.sequence == anchor.sequence:
            if entry.entry_hash != anchor.entry_hash:
                problem = ChainProblem(
                    entry.sequence,
                    Problem.ALTERED,
                    "its hash differs from the anchor: the log was rewritten from here on",
                )
        if problem is not None:
            return VerificationResult(
                checked, expected_sequence - 1 or None, previous_hash, problem
            )
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
        )
    return VerificationResult(checked, head or None, previous_hash, None)
