"""What an SMTP failure means for a notification e-mail, against the test SMTP server.

A reply code decides where there is one (4xx: try again later; 5xx: failed for good); a
connection refused or lost is temporary; an SMTP server lacking what the settings require (no
STARTTLS, no AUTH) fails at once, and nothing goes out without the encryption or the login
the settings ask for.
"""

from __future__ import annotations

import smtplib

import pytest
from django.test import override_settings
from django.utils import timezone

from plugins.notifications.fanout import attach_to_deliveries
from plugins.notifications.models import EmailDelivery
from plugins.notifications.periods import period_key
from plugins.notifications.sending import (
    PermanentDeliveryFailure,
    is_temporary,
    send_deliveries,
)
from tests import factories
from tests.notification_helpers import subscribers
from tests.smtp_server import free_port

pytestmark = pytest.mark.django_db


def smtp_settings(port: int, **more):
    plain = {"EMAIL_USE_TLS": False, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        **(plain | more),
    )


@pytest.fixture
def digest(django_capture_on_commit_callbacks):
    """Two readers' daily digests, ready to send: ``(delivery ids, readers)``."""
    document = factories.document("public", title="SMTP failures paper")
    readers = subscribers("smtp-f", 2, [document], frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(document, "v2")
    deliveries = attach_to_deliveries(
        period_key("daily", timezone.now()), [reader.pk for reader in readers]
    )
    assert len(deliveries) == len(readers)
    return deliveries


def states(deliveries) -> list[tuple[str, int, bool]]:
    """Each delivery's status, attempts, and whether a retry is scheduled."""
    return [
        (d.status, d.attempts, d.next_attempt_at is not None)
        for d in EmailDelivery.objects.filter(pk__in=deliveries).order_by("pk")
    ]


RETRY = ("pending", 1, True)
FAILED = ("failed", 1, False)
SENT = ("sent", 1, False)


@pytest.mark.parametrize(
    "data_replies, rcpt_replies, expected",
    [
        (["451 4.3.0 Try again later"], [], [RETRY, SENT]),
        (["552 5.3.4 Message too big"], [], [FAILED, SENT]),
        ([], ["450 4.2.1 Mailbox busy"], [RETRY, SENT]),
        ([], ["550 5.1.1 No such mailbox"], [FAILED, SENT]),
    ],
    ids=["4xx-data", "5xx-data", "4xx-rcpt", "5xx-rcpt"],
)
def test_a_reply_code_decides_between_retry_and_failure(
    digest, smtp, data_replies, rcpt_replies, expected
):
    smtp.handler.script = list(data_replies)
    smtp.handler.rcpt_script = list(rcpt_replies)
    with smtp_settings(smtp.port):
        _send(digest)
    assert states(digest) == expected
    # The refusal was of one message: the second went out.
    assert len(smtp.received) == 1


def test_a_server_that_cannot_be_reached_is_tried_again_later(digest):
    with smtp_settings(free_port()):  # nothing listens there
        counts = send_deliveries(digest)
    assert counts == {"sent": 0, "skipped": 0, "retry": 2, "failed": 0}
    assert states(digest) == [RETRY, RETRY]


def test_a_server_without_starttls_fails_at_once_and_gets_nothing_in_clear_text(digest, smtp):
    """``SMTPNotSupportedError`` is an ``OSError``: it used to count as a network error,
    retried up to the maximum."""
    with smtp_settings(smtp.port, EMAIL_USE_TLS=True):
        _send(digest)
    assert smtp.received == []
    assert states(digest) == [FAILED, FAILED]
    errors = EmailDelivery.objects.filter(pk__in=digest).values_list("error", flat=True)
    assert all("STARTTLS" in error for error in errors)


def test_a_server_without_auth_fails_at_once_and_gets_nothing_unauthenticated(digest, smtp):
    with smtp_settings(smtp.port, EMAIL_HOST_USER="portal", EMAIL_HOST_PASSWORD="secret"):
        _send(digest)
    assert smtp.received == []
    assert states(digest) == [FAILED, FAILED]


def _send(deliveries) -> None:
    """Send as a worker would: a batch with failures for good raises once it is done (so that
    its job shows among the failed ones); one without must not."""
    try:
        send_deliveries(deliveries)
    except PermanentDeliveryFailure:
        assert EmailDelivery.objects.filter(pk__in=deliveries, status="failed").exists()
    else:
        assert not EmailDelivery.objects.filter(pk__in=deliveries, status="failed").exists()


@pytest.mark.parametrize(
    "error, temporary",
    [
        (smtplib.SMTPResponseException(421, b"Service not available"), True),
        (smtplib.SMTPResponseException(554, b"Transaction failed"), False),
        (smtplib.SMTPConnectError(-1, b"garbled greeting"), True),
        (smtplib.SMTPAuthenticationError(454, b"Temporary auth failure"), True),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"busy"), "b@x": (451, b"later")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"busy"), "b@x": (550, b"none")}), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"), False),
        (smtplib.SMTPException("No suitable authentication method found."), False),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (ValueError("not a network error"), False),
    ],
)
def test_each_kind_of_error_is_classified(error, temporary):
    assert is_temporary(error) is temporary
