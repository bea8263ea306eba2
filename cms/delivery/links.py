"""Download links: signed, expiring, bound to the user they were handed to.

A link carries the version, the file's language and the user id (0 for anonymous), signed with
the site's secret and timestamped; the download view refuses it after
``TRUSTPORTAL_DOWNLOAD_LINK_MINUTES`` or in anyone else's hands. The access policy is asked
again when the link is used, so a link never outlives the permission behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "trustportal.download-link"


@dataclass(frozen=True)
class DownloadClaim:
    version_id: int
    language: str
    user_id: int


class LinkExpired(Exception):
    """The link was genuine but is too old; ``claim`` says what it was for (for the audit)."""

    def __init__(self, claim: DownloadClaim | None):
        super().__init__("download link expired")
        self.claim = claim


class LinkInvalid(Exception):
    pass


def link_lifetime_seconds() -> int:
    return int(getattr(settings, "TRUSTPORTAL_DOWNLOAD_LINK_MINUTES", 15)) * 60


def signed_download_url(version_id: int, language: str, user) -> str:
    user_id = user.pk if user is not None and user.is_authenticated else 0
    token = signing.dumps({"v": version_id, "l": language, "u": user_id}, salt=SALT, compress=True)
    return reverse("portal:download", kwargs={"token": token})


def read_claim(token: str) -> DownloadClaim:
    try:
        data = signing.loads(token, salt=SALT, max_age=link_lifetime_seconds())
    except signing.SignatureExpired as error:
        # The signature is ours (only its age is wrong), so what it claims can be trusted
        # enough to say in the audit log which document an expired link was for.
        raise LinkExpired(_claim_or_none(signing.loads(token, salt=SALT))) from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    claim = _claim_or_none(data)
    if claim is None:
        raise LinkInvalid
    return claim


def _claim_or_none(data) -> DownloadClaim | None:
    try:
        return DownloadClaim(
            version_id=int(data["v"]), language=str(data["l"])[:8], user_id=int(data["u"])
        )
    except (KeyError, TypeError, ValueError):
        return None
