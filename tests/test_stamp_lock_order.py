"""Two transactions that change both stamps, in opposite orders, do not deadlock
(``search.models.MemberPagesStamp.change`` takes the entitlement stamp's row first).

On PostgreSQL, with committed rows and two connections: one member is renamed (the member
pages stamp) and then joins an organization (the entitlement stamp), while another transaction
changes the entitlement stamp (an NDA acceptance) and then the member pages stamp. Each reaches
its second write only once the other has made its first, or a few seconds have passed (with
the rows taken in one order, the second transaction waits at its first write instead)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from cms.models import EntitlementStamp, Membership, Organization
from search.models import MemberPagesStamp
from tests.helpers import make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite has one writer)"
)


def test_both_stamps_changed_in_opposite_orders_do_not_deadlock(cleanup):
    cleanup["prefixes"].append("t-locks")
    user = make_user("t-locks-member")
    organization = Organization.objects.create(name="Workers locks", slug="workers-locks")
    EntitlementStamp.change()
    MemberPagesStamp.change()
    both_began = threading.Barrier(2)
    failures = []

    def in_its_own_transaction(first, second):
        try:
            with transaction.atomic():
                first()
                try:
                    both_began.wait(timeout=3)
                except threading.BrokenBarrierError:
                    pass  # the other one waits for this one's rows: go on and commit
                second()
        except Exception as error:  # noqa: BLE001 — reported below, with its kind
            failures.append(repr(error))
        finally:
            connection.close()

    def rename():
        user.first_name = "Renamed"
        user.save(update_fields=["first_name"])

    threads = [
        threading.Thread(
            target=in_its_own_transaction,
            args=(rename, lambda: Membership.objects.create(user=user, organization=organization)),
        ),
        threading.Thread(
            target=in_its_own_transaction,
            args=(EntitlementStamp.change, MemberPagesStamp.change),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert Membership.objects.filter(user=user, organization=organization).exists()
