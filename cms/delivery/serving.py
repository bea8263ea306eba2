"""Handing a file to a reader once the policy said yes: the audit entry first, then the file,
watermarked for this viewer when it is a gated PDF.

If the audit entry cannot be written, nothing is served: a download nobody can trace must not
happen. If a gated PDF cannot be watermarked (encrypted, corrupt), it is not served either and
staff are alerted.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.mail import mail_admins
from django.http import FileResponse
from django.utils import timezone

from cms.access import policy
from cms.audit import new_download_id, record, record_refusal
from cms.delivery.prepared_copies import watermarked_file
from cms.delivery.watermark import WatermarkError
from cms.models import AccessLevel, organization_of

logger = logging.getLogger(__name__)

#: One alert per unservable file in this time: every reader who tries it meets the same broken
#: file, and the admin's dashboard counts the refusals; a mail each would bury the first.
ALERT_INTERVAL_SECONDS = 6 * 60 * 60
#: Bytes read at a time from a copy the server does not hand to the kernel (sendfile): a
#: reader's watermarked copy, or any file under a server without sendfile.
COPY_BLOCK_SIZE = 256 * 1024


class DeliveryRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WatermarkIdentity:
    name: str
    organization: str

    @classmethod
    def of(cls, user) -> WatermarkIdentity:
        if not user.is_authenticated:
            return cls(name="Public copy", organization="")
        name = user.get_full_name() or user.get_username()
        if user.email:
            name = f"{name} <{user.email}>"
        organization = organization_of(user)
        return cls(
            name=name, organization=organization.name if organization else "Personal account"
        )


def watermark_lines(viewer: WatermarkIdentity, download_id: str, when) -> list[str]:
    lines = [f"Downloaded by {viewer.name}"]
    if viewer.organization:
        lines.append(viewer.organization)
    lines += [when.strftime("%Y-%m-%d %H:%M UTC"), f"Download id: {download_id}"]
    return lines


def prepare_copy(request, version, version_file, *, archive: str = ""):
    """This viewer's copy of ``version_file``: an open binary stream (watermarked when it is a
    gated PDF) whose download is already in the audit log. Returns ``(stream, download_id)``;
    raises DeliveryRefused. The caller closes the stream."""
    document = version.document
    download_id = new_download_id()
    watermark = (
        version_file.content_type == "application/pdf"
        and document.access_level in AccessLevel.watermarked()
    )
    stream = version_file.file.open("rb")
    try:
        if watermark:
            now = timezone.now().astimezone(datetime.UTC)
            lines = watermark_lines(WatermarkIdentity.of(request.user), download_id, now)
            original = stream
            try:
                stream = watermarked_file(version_file, original, lines)
            except WatermarkError as error:
                _alert_staff(document, version, version_file, error)
                # What the admin's dashboard lists (cms.delivery.failures), mail or no mail.
                _record_denial(
                    request,
                    version,
                    "watermark_failed",
                    detail=error.reason,
                    file=version_file.display_name,
                    sha256=version_file.sha256,
                )
                raise DeliveryRefused("watermark_failed") from error
            finally:
                if stream is not original:
                    original.close()
        try:
            record(
                "download",
                outcome="allowed",
                request=request,
                version=version,
                nda_version=policy.accepted_nda_label(request.user)
                if document.access_level == AccessLevel.NDA
                else "",
                download_id=download_id,
                detail={
                    "file": version_file.display_name,
                    "language": version_file.language,
                    "sha256": version_file.sha256,
                    "watermarked": watermark,
                    **({"archive": archive} if archive else {}),
                },
            )
        except Exception as error:
            logger.exception("Audit entry for a download could not be written; download refused")
            raise DeliveryRefused("audit_unavailable") from error
    except BaseException:
        stream.close()
        raise
    return stream, download_id


def protect(response):
    """Headers every protected file is served with: never rendered in the portal's origin,
    never sniffed into something executable, never kept by a shared cache."""
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def deliver(request, version, version_file) -> FileResponse:
    """The response carrying ``version_file`` to ``request.user`` (raises DeliveryRefused)."""
    stream, download_id = prepare_copy(request, version, version_file)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=version_file.display_name,
        content_type=version_file.content_type,
    )
    response.block_size = COPY_BLOCK_SIZE  # Django's 4 KiB: 5,000 reads for a 20 MB report
    response["X-Download-Id"] = download_id
    return response


def record_denial(request, version, reason: str, **detail) -> None:
    """Log a refused download, or a refused request for a download link, with why (``reason``:
    the policy's, or the link's: ``link_expired``, ``bad_signature``, ``link_other_user``…).
    Repeats are aggregated (see ``cms.audit.refusals``). A failure to log never turns a refusal
    into an error page."""
    _record_denial(request, version, reason, **detail)


def _record_denial(request, version, reason: str, **detail) -> None:
    try:
        record_refusal(
            "download_denied", reason=reason, request=request, version=version, detail=detail
        )
    except Exception:
        logger.exception("Audit entry for a refused download could not be written")


def _alert_staff(document, version, version_file, error: WatermarkError) -> None:
    """Tell ``ADMINS`` by e-mail. The refusal is on the admin's dashboard in any case, so a
    mail that cannot be sent (no ``ADMINS``, the SMTP server down) is logged, never raised:
    the reader gets the "cannot be downloaded right now" page either way."""
    logger.error("Cannot watermark %s (%s): %s", version_file.file.name, version, error)
    if not settings.ADMINS:
        logger.warning("No ADMINS to alert (set TRUSTPORTAL_ADMINS); see the admin's dashboard")
        return
    if not _first_alert_in_a_while(version_file):
        return
    try:
        mail_admins(
            f"Cannot watermark {document.title} {version.version_label}",
            f"The file {version_file.display_name} of {document.title} "
            f"({version.version_label}) cannot be watermarked ({error.reason}), so it is not "
            "served to readers. Replace the file with a PDF that is neither encrypted nor "
            "damaged. The admin's dashboard lists such files under Delivery failures.",
        )
    except Exception:
        logger.exception("The staff alert about %s could not be mailed", version_file.file.name)


def _first_alert_in_a_while(version_file) -> bool:
    """Whether no alert about this stored file went out in ``ALERT_INTERVAL_SECONDS``: asked of
    the cache every process shares (``ratelimit``), whose ``add`` is atomic, so that readers
    refused at once make one mail. A replaced file is a new name, and alerts again. When the
    cache cannot answer, the alert goes out: a mail too many beats a broken file unreported."""
    key = f"trustportal:watermark-alert:{version_file.pk}:{version_file.file.name}"
    try:
        return caches["ratelimit"].add(key, 1, ALERT_INTERVAL_SECONDS)
    except Exception:  # noqa: BLE001 — any cache failure: alert rather than stay silent
        logger.warning("Could not check when staff were last alerted", exc_info=True)
        return True
