"""The sent journal: which e-mails of a batch the SMTP server accepted, before the database
says so.

A batch is marked sent in the database in one statement once it is done, not one per e-mail.
A worker killed in between would leave e-mails that went out looking unsent, and the next
worker would send them all again. So, right after each 250, the worker writes one small key to
the queue's Redis (a write that outlives the worker, as the queue does); the next worker to
claim the delivery reads it and marks the delivery sent instead of sending it again. The
database stays the record: a key only lives until the batch's bulk mark (and expires on its
own after ``TTL_SECONDS`` in any case).

Losing the journal (Redis restarted empty, or unreachable at that moment) loses no e-mail and
breaks no promise: the deliveries are sent again under the same Message-ID (see
``sending``), exactly what happens without a journal at all (jobs run inline).
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError

from workflows.jobs import queue_connection

logger = logging.getLogger(__name__)

PREFIX = "trustportal:notifications:sent:"
#: Far longer than any lease: a dead worker's deliveries are claimed again long before.
TTL_SECONDS = 7 * 24 * 3600


class SentJournal:
    def __init__(self, queue: str):
        self.redis = queue_connection(queue)

    def record(self, delivery_id: int, sent_at: datetime) -> bool:
        """Note that the server accepted this delivery's e-mail; False if it could not be
        noted (the caller then marks it in the database at once)."""
        if self.redis is None:
            return False
        try:
            self.redis.set(f"{PREFIX}{delivery_id}", sent_at.isoformat(), ex=TTL_SECONDS)
        except RedisError as error:
            logger.warning("Sent journal unavailable (%s): marking in the database", error)
            return False
        return True

    def recall(self, delivery_ids: list[int]) -> dict[int, datetime]:
        """``{delivery id: when the server accepted it}`` for those a worker sent and never
        marked."""
        if self.redis is None or not delivery_ids:
            return {}
        try:
            values = self.redis.mget([f"{PREFIX}{pk}" for pk in delivery_ids])
        except RedisError as error:
            logger.warning("Sent journal unavailable (%s): unmarked e-mails go again", error)
            return {}
        sent = {}
        for delivery_id, value in zip(delivery_ids, values, strict=True):
            if value is not None:
                sent[delivery_id] = datetime.fromisoformat(value.decode())
        return sent

    def forget(self, delivery_ids: list[int]) -> None:
        """Drop the notes of deliveries now marked sent in the database (they expire anyway)."""
        if self.redis is None or not delivery_ids:
            return
        try:
            self.redis.delete(*[f"{PREFIX}{pk}" for pk in delivery_ids])
        except RedisError:
            logger.debug("Sent journal notes left to expire", exc_info=True)
