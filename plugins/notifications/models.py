"""Who wants to hear about updates, what each of them is to be told, and what was sent.

Exactly-once bookkeeping: ``PendingUpdate`` is unique per (user, event, document), so a fan-out
job run twice records nothing new; ``EmailDelivery`` is unique per (user, key) — one e-mail per
event for "immediately", one per digest period otherwise — and is marked sent only after the
SMTP server accepted the message.
"""

import ipaddress
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class NotificationSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    enabled = models.BooleanField(_("e-mail me about updates"), default=False)
    frequency = models.CharField(
        _("how often"), max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATELY
    )
    #: The confirmed address e-mails go to ("" until one is confirmed).
    email = models.EmailField(_("send to"), blank=True)
    #: An address waiting for its confirmation link to be followed.
    pending_email = models.EmailField(blank=True)
    #: Besides documents: changes to the subprocessors list (public, so anyone may opt in).
    subprocessor_changes = models.BooleanField(
        _("also e-mail me when the subprocessors list changes"), default=False
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    #: The secret in the URL of the reader's update feed (feed readers send no cookies).
    feed_token = models.CharField(max_length=64, default=new_feed_token, unique=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return f"{self.user}: {self.frequency if self.enabled else 'off'}"

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.email)


class EmailDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("nothing left to send")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: "event:<outbox id>" for an immediate e-mail, "daily:<date>" / "weekly:<date>" for digests.
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    #: When a worker took it; a "sending" row older than the lease belongs to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notifications_one_email_per_key")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due")]

    def __str__(self):
        return f"{self.key} → {self.user} ({self.status})"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a resend after a worker died between the
        SMTP server's "250 OK" and our "sent" mark is recognisable as the same e-mail."""
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "trustportal"
        return f"<update.{self.pk}.{self.user_id}@{domain}>"


class PendingUpdate(models.Model):
    """A document update one subscriber is to be told about, in the e-mail named by
    ``delivery_key``. Access is checked again when that e-mail is built."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    document = models.ForeignKey("cms.TrustDocument", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "cms.DocumentVersion", on_delete=models.CASCADE, related_name="+", null=True
    )
    #: The editor's update note, for an update without a new version (in the source language,
    #: as it was published; a translation published since is preferred when mailing).
    note = models.TextField(blank=True)
    delivery_key = models.CharField(max_length=64)
    delivery = models.ForeignKey(
        EmailDelivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_id", "document"], name="notifications_update_once"
            )
        ]
        indexes = [models.Index(fields=["delivery_key", "delivery"], name="notif_unsent")]

    def __str__(self):
        return f"{self.event_id} → {self.user_id}: document {self.document_id}"


class SubprocessorNotice(models.Model):
    """A change of the subprocessors list, as the core event ``SubprocessorChanged`` told it:
    what e-mails say of it. One row per event (its outbox id), however often the event's handler
    runs."""

    class Change(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")

    event_id = models.CharField(max_length=64, unique=True)
    #: The subprocessor's translation key (the same in every language).
    subprocessor_key = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    change = models.CharField(max_length=16, choices=Change.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("subprocessor change notice")
        verbose_name_plural = _("subprocessor change notices")

    def __str__(self):
        return f"{self.name}: {self.change}"


class PendingSubprocessorChange(models.Model):
    """A subprocessor change one opted-in reader is to be told about, in the e-mail named by
    ``delivery_key`` (the same keys, and e-mails, as document updates)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(SubprocessorNotice, on_delete=models.CASCADE, related_name="+")
    delivery_key = models.CharField(max_length=64)
    delivery = models.ForeignKey(
        EmailDelivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subprocessor_changes",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Each reader is told each change once, however often the fan-out runs.
            models.UniqueConstraint(
                fields=["user", "notice"], name="notifications_subprocessor_change_once"
            )
        ]
        indexes = [models.Index(fields=["delivery_key", "delivery"], name="notif_sub_unsent")]

    def __str__(self):
        return f"{self.notice_id} → {self.user_id}"


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


def validate_webhook_url(url: str) -> None:
    """HTTPS only, to a public host; plain HTTP and local or private hosts only for the hosts
    the ``WEBHOOK_HTTP_HOSTS`` setting lists. Names are not resolved here (their answer may
    change): every delivery resolves and checks them again (``webhooks.pinned_address``)."""
    from django.apps import apps

    parts = urlsplit(url)
    allowed = apps.get_app_config("notifications").setting("WEBHOOK_HTTP_HOSTS")
    if parts.hostname and parts.hostname in allowed and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(_("Webhook endpoints must use HTTPS."))
    if not is_public_host(parts.hostname):
        raise ValidationError(_("Webhook endpoints must be at a public address."))


def is_public_host(host: str) -> bool:
    """False for an address that is not global (loopback, private, link-local…) and for the
    names that always mean this machine (RFC 6761's ``localhost``)."""
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_global
    except ValueError:
        return True


class WebhookEndpoint(models.Model):
    """An organization's tool that is POSTed every document update the organization may see
    (as its registering administrator sees it, under the access policy)."""

    organization = models.ForeignKey(
        "cms.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("endpoint URL"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(_("signing secret"), max_length=64, default=new_webhook_secret)
    active = models.BooleanField(_("active"), default=True)
    #: Who registered it (for the record; what it receives is the organization's view).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            # A second active endpoint at the same URL would POST every event to the tool twice,
            # signed with a secret it may not know. An inactive one may be registered again.
            models.UniqueConstraint(
                fields=["organization", "url"],
                condition=models.Q(active=True),
                name="webhook_endpoint_once",
                violation_error_message=_(
                    "This organization already has an active endpoint at this URL."
                ),
            )
        ]

    def __str__(self):
        return f"{self.organization}: {self.url}"


class WebhookDelivery(models.Model):
    """The delivery log: one row per (endpoint, event), retried with backoff until the endpoint
    answers 2xx; the event id travels in a header so the receiver can drop repeats."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        DELIVERED = "delivered", _("delivered")
        SKIPPED = "skipped", _("not visible any more")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="log")
    event_id = models.CharField(max_length=64)
    document = models.ForeignKey("cms.TrustDocument", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "cms.DocumentVersion", on_delete=models.CASCADE, related_name="+", null=True
    )
    #: The update note of an update without a new version.
    note = models.TextField(blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]

    def __str__(self):
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"
