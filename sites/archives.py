"""A starter pack as one ZIP archive: each file the reader may download, as their own logged
(and, when gated, watermarked) copy; what they may not have is named in a README instead.

The archive is written to a temporary file on disk, one member at a time, so a pack of large
reports never sits in memory.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile

from django.utils.text import slugify
from django.utils.translation import gettext as _

from cms.access import policy
from cms.delivery.serving import DeliveryRefused, prepare_copy, record_denial
from cms.models import DocumentVersion
from search.cards import starter_pack_documents

LOCK_EXPLANATIONS = {
    "sign_in": "sign in to download",
    "organization": "an organization account is needed",
    "nda": "accept the current NDA to download",
    "restricted": "restricted to named organizations",
}


def build_pack_archive(request, pack, language: str):
    """Return ``(temporary file, file name, number of files)`` for ``pack`` and this reader."""
    cards = starter_pack_documents(request, pack)
    current = {card.document.pk: card.current_version for card in cards if card.current_version}
    allowed = set(
        policy.downloadable_versions(
            request.user, DocumentVersion.objects.filter(pk__in=[v.pk for v in current.values()])
        ).values_list("pk", flat=True)
    )
    archive = tempfile.NamedTemporaryFile(prefix="starter-pack-", suffix=".zip")
    left_out, included, used_names = [], 0, set()
    try:
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for position, card in enumerate(cards, start=1):
                version = current.get(card.document.pk)
                if version is None or version.pk not in allowed:
                    reason = LOCK_EXPLANATIONS.get(card.lock, "not available")
                    left_out.append(f"- {card.title}: {reason}")
                    if version is not None:  # a file the reader asked for and was refused
                        record_denial(
                            request,
                            version,
                            card.lock or "not_available",
                            step="archive",
                            archive=pack.slug,
                        )
                    continue
                version_file = version.file_for_language(language)
                if version_file is None:
                    continue
                try:
                    stream, _download_id = prepare_copy(
                        request, version, version_file, archive=pack.slug
                    )
                except DeliveryRefused as refusal:
                    left_out.append(f"- {card.title}: {refusal.reason.replace('_', ' ')}")
                    continue
                name = _member_name(position, version_file.display_name, used_names)
                with stream, bundle.open(name, "w", force_zip64=True) as member:
                    shutil.copyfileobj(stream, member, 1024 * 1024)
                included += 1
            bundle.writestr("README.txt", _readme(pack, included, left_out))
        archive.flush()
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    return archive, f"{slugify(pack.title) or 'starter-pack'}.zip", included


def _member_name(position: int, display_name: str, used: set[str]) -> str:
    name = f"{position:02d}-{display_name.replace('/', '_')}"
    while name in used:
        name = f"_{name}"
    used.add(name)
    return name


def _readme(pack, included: int, left_out: list[str]) -> str:
    lines = [pack.title, "", _("%(count)d documents included.") % {"count": included}]
    if left_out:
        lines += ["", _("Not included:"), *left_out]
    return "\n".join(lines) + "\n"
