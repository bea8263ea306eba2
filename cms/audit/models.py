"""One append-only, hash-chained table: who did what to which document, when, from where.

Rows are written only by ``cms.audit.log.record`` and never changed or deleted through the ORM.
Everything an entry says is copied onto it (names, titles, labels) rather than referenced, so
that renaming or deleting a user, organization or document later neither changes nor erases
the evidence -- and so that the hash (see ``cms.audit.chain``) covers what the entry says.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import chain
from .keys import keyring


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete audit entries through the ORM."""


class Action(models.TextChoices):
    # New actions may be added freely: the column is not limited to these choices (plugins may
    # record their own lower_snake_case actions), these only give the known ones their labels.
    DOWNLOAD = "download", _("Download")
    DOWNLOAD_DENIED = "download_denied", _("Download denied")
    DOCUMENT_VIEW = "document_view", _("Document viewed")
    NDA_ACCEPTED = "nda_accepted", _("NDA accepted")
    ACCESS_REQUEST_DECIDED = "access_request_decided", _("Access request decided")
    SIGN_IN = "sign_in", _("Sign-in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Sign-out")
    MEMBERSHIP_JOINED = "membership_joined", _("Joined an organization")
    MEMBERSHIP_MOVED = "membership_moved", _("Moved to another organization")
    MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
    OK = "ok", _("OK")
    FAILED = "failed", _("Failed")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only; they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only; they cannot be deleted.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are appended one by one with cms.audit.record().")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only; they cannot be updated.")


class AuditEntry(models.Model):
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), db_index=True, editable=False)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)

    # A convenience link only (SET_NULL when the user is deleted, so not hashed); the frozen
    # copies below are the evidence.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    user_email = models.CharField(_("e-mail"), max_length=254, blank=True)
    organization_id = models.PositiveBigIntegerField(_("organization id"), null=True, blank=True)
    organization_name = models.CharField(_("organization"), max_length=200, blank=True)
    # Plain ids, not foreign keys: deleting a document must not delete or alter its audit trail.
    document_id = models.PositiveBigIntegerField(
        _("document id"), null=True, blank=True, db_index=True
    )
    document_title = models.CharField(_("document"), max_length=255, blank=True)
    version_id = models.PositiveBigIntegerField(_("version id"), null=True, blank=True)
    version_label = models.CharField(_("version"), max_length=64, blank=True)
    nda_version = models.CharField(_("NDA version"), max_length=64, blank=True)

    # Text rather than GenericIPAddressField: databases normalise inet values on the way in,
    # and the hash must be computed over exactly what is stored.
    ip = models.CharField(_("IP address"), max_length=64, null=True, blank=True)  # noqa: DJ001
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    # NULL (not "") when there is none, so that uniqueness only applies to real ids.
    download_id = models.CharField(  # noqa: DJ001
        _("download id"), max_length=32, null=True, blank=True, unique=True
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    hash_format = models.PositiveSmallIntegerField(default=chain.CURRENT_HASH_FORMAT)
    # Which configured key signed the entry ("" for legacy, unkeyed entries); never the key.
    key_id = models.CharField(_("key id"), max_length=32, blank=True, default="")
    # Unique: two writers can never both extend the chain from the same entry.
    previous_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    entry_hash = models.CharField(_("entry hash"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        # Nobody can be granted the right to change or delete the evidence.
        default_permissions = ("view",)

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.outcome} {self.username or '-'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only; they cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only; they cannot be deleted.")

    def seal(self) -> None:
        """Sign the entry with the current audit key (sets ``key_id`` and ``entry_hash``)."""
        chain.seal(self, keyring())

    def compute_hash(self) -> str:
        return chain.entry_hash(self, keyring())

    @property
    def is_intact(self) -> bool:
        """Does this entry still match its own hash? (Its place in the chain is ``verify``'s.)
        An entry signed with a key that is no longer configured cannot be shown intact."""
        try:
            return chain.matches(self, keyring())
        except (chain.UnknownKey, TypeError, ValueError):
            return False
