"""Every content change bumps the listing generation in its own transaction, and each
transaction that changed something queues one job to count the plain listings again once it
commits: not one per row, and not none after an earlier transaction rolled back.

The rollback tests run on the committed test database (``committed``, real transactions), not
in a flushing transactional test, which would empty the seeded database for the tests after.
They change nothing but the generation number."""

from __future__ import annotations

import pytest
from django.db import transaction

from search import facets
from search.facets import WarmAfterCommit, bump_generation, current_generation


def warming(callbacks) -> list:
    return [c for c in callbacks if isinstance(c, WarmAfterCommit)]


@pytest.fixture
def queued(monkeypatch) -> list:
    """The jobs the listing counts queue, in order (none is run)."""
    jobs = []
    monkeypatch.setattr(facets, "enqueue", lambda func, *args, **kwargs: jobs.append(func))
    return jobs


@pytest.fixture
def workers(settings):
    """Jobs go to workers, which count the listings after a change (inline, nothing does)."""
    settings.TRUSTPORTAL_JOBS_INLINE = False


@pytest.mark.django_db
def test_with_inline_jobs_the_writer_does_not_count_for_the_next_reader(
    django_capture_on_commit_callbacks, queued, settings, client
):
    settings.TRUSTPORTAL_JOBS_INLINE = True
    before = current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            bump_generation()
    assert current_generation() == before + 3
    # The callback still marks the transaction as having bumped it (nothing it counts is kept).
    assert len(warming(callbacks)) == 1 and queued == []
    # The next reader counts them on a miss.
    response = client.get("/api/v3/trust-documents/?limit=1")
    assert response.status_code == 200 and sum(response.json()["facets"]["category"].values()) > 0


@pytest.mark.django_db
def test_one_warming_job_per_transaction_however_many_bumps(
    django_capture_on_commit_callbacks, queued, workers
):
    before = current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(5):
            bump_generation()
    assert current_generation() == before + 5
    assert len(warming(callbacks)) == 1
    assert queued == [facets.warm_listing_counts]


def test_a_rolled_back_transaction_does_not_cost_the_next_one_its_warming(
    committed, queued, workers
):
    before = current_generation()

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        bump_generation()
        raise Abandoned
    assert queued == []  # its callback was discarded with it
    with transaction.atomic():
        bump_generation()
        bump_generation()
    assert queued == [facets.warm_listing_counts]
    assert current_generation() == before + 2


def test_a_savepoint_rolled_back_takes_its_callback_and_the_outer_block_registers_again(
    committed, queued, workers
):
    with transaction.atomic():
        try:
            with transaction.atomic():
                bump_generation()
                raise ValueError("the inner block fails")
        except ValueError:
            pass
        bump_generation()  # the outer block's own change still needs its warming
    assert queued == [facets.warm_listing_counts]
