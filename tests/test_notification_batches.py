"""A batch of notification e-mails costs a fixed number of queries (the whole batch claimed in
one) plus, with jobs inline, exactly one per e-mail: without a queue there is no sent journal,
so each e-mail is marked sent right after the SMTP server's 250 (sharing that mark would widen
the window in which an e-mail could go out twice). With the journal of a queue, none per e-mail:
tests/test_notification_query_counts.py. Access is still decided for each recipient when the
batch is built."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Membership
from plugins.notifications.fanout import attach_to_deliveries
from plugins.notifications.models import NotificationSettings
from plugins.notifications.periods import period_key
from plugins.notifications.sending import send_deliveries
from tests import factories
from tests.notification_helpers import subscribers

#: Mark it sent (see the module docstring).
QUERIES_PER_EMAIL = 1
#: The claim, deliveries, updates, locales, the policy's batch answer, translations, closing
#: the skipped.
BATCH_QUERIES_AT_MOST = 15


def digest_readers(prefix: str, size: int, organization, documents) -> list:
    """``size`` readers of German daily digests about ``documents``: all but two are members
    of ``organization``; one is not (sees the public paper only) and one turned notifications
    off (nothing to send: closed with the others in one query)."""
    readers = subscribers(prefix, size, documents, frequency="daily", language="de")
    for reader in readers[:-2]:
        Membership.objects.create(user=reader, organization=organization)
    NotificationSettings.objects.filter(user=readers[-1]).update(enabled=False)
    return readers


def digest_deliveries(readers) -> list[int]:
    deliveries = attach_to_deliveries(
        period_key("daily", timezone.now()), [reader.pk for reader in readers]
    )
    assert len(deliveries) == len(readers)
    return deliveries


@pytest.mark.django_db
def test_a_batch_of_20_costs_the_queries_of_a_batch_of_5_plus_one_per_email_inline(
    users, django_capture_on_commit_callbacks
):
    organization = users["customer_org"]
    restricted = factories.document(
        "restricted", organizations=[organization], title="Batch restricted memo"
    )
    public = factories.document("public", title="Batch public paper")
    small = digest_readers("nb-small", 5, organization, [restricted, public])
    large = digest_readers("nb-large", 20, organization, [restricted, public])
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(restricted, "v2")
        factories.version(public, "v2")

    def send(deliveries) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as context:
            counts = send_deliveries(deliveries)
        return len(context.captured_queries), counts

    # Warm the per-process caches (locales, the site) so both batches start alike.
    send([])
    small_queries, small_counts = send(digest_deliveries(small))
    large_queries, large_counts = send(digest_deliveries(large))
    assert small_counts == {"sent": 4, "skipped": 1, "retry": 0, "failed": 0}
    assert large_counts == {"sent": 19, "skipped": 1, "retry": 0, "failed": 0}
    fixed_small = small_queries - QUERIES_PER_EMAIL * small_counts["sent"]
    fixed_large = large_queries - QUERIES_PER_EMAIL * large_counts["sent"]
    assert fixed_small == fixed_large <= BATCH_QUERIES_AT_MOST

    sent = [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]
    assert len(sent) == 4 + 19
    outsiders = {"nb-small-3@example.test", "nb-large-18@example.test"}
    for message in sent:
        assert "Batch public paper" in message.body
        # Members see the restricted memo; the reader outside the organization is not told.
        assert ("Batch restricted memo" in message.body) is (message.to[0] not in outsiders)
