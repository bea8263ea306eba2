"""Files readers can be given: what the admin refuses because a document could not serve it.

Every PDF is checked at upload by its field's validator (``cms.files.uploads``): a damaged,
truncated or header-less one is refused for any document. What depends on the document is
checked here: readers of a document above public get only watermarked copies, which an
encrypted PDF cannot give. So a version's form refuses an encrypted PDF for such a document,
and a series' form refuses to raise a public series to such a level while one of its files
could not be watermarked (it would be served to nobody: "This file cannot be downloaded right
now").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from cms.files import pdf_checks
from cms.files.uploads import extension_of

from .levels import AccessLevel


def watermarked_level(document) -> str | None:
    """The level above public ``document`` has, stored or in its newest draft (a series
    waiting for review to become NDA already gets its versions' files checked as NDA), or
    None if it is public in both."""
    levels = [document.access_level]
    revision = getattr(document, "latest_revision", None)
    if revision is not None:
        levels.append(revision.content.get("access_level"))
    return next((level for level in levels if level in AccessLevel.watermarked()), None)


def _is_pdf(field_file) -> bool:
    return bool(field_file) and extension_of(field_file.name) == "pdf"


class DocumentVersionForm(WagtailAdminModelForm):
    """The admin form of a version: each PDF must be one its document can serve."""

    def clean(self):
        cleaned_data = super().clean()
        document = cleaned_data.get("document")
        level = watermarked_level(document) if document is not None else None
        files = self.formsets.get("files")
        if level is None or files is None:
            return cleaned_data
        # Stored files were checked against the document the version had; they are read again
        # only when the version moves to another one (edited, or copied from another series').
        moved = "document" in self.changed_data
        label = AccessLevel(level).label
        for form in files.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue  # a file refused by its validator already has its error
            field_file = form.instance.file
            if not _is_pdf(field_file) or (field_file._committed and not moved):
                continue
            if field_file._committed:
                problem = pdf_checks.stored_problem(field_file)
            else:
                problem = pdf_checks.problem_of(field_file)  # the validator's answer, kept
            if problem is not None:
                form.add_error("file", pdf_checks.unwatermarkable_message(problem, str(label)))
        return cleaned_data


def refuse_raising_with_unservable_files(document, version_files) -> None:
    """Raise a ValidationError on ``access_level`` if ``document``, stored as public, is to be
    raised to a watermarked level while one of ``version_files`` (its versions' files) could not
    be watermarked."""
    if document.pk is None or document.access_level not in AccessLevel.watermarked():
        return
    stored = type(document).objects.filter(pk=document.pk).values_list("access_level", flat=True)
    if stored.first() != AccessLevel.PUBLIC:
        return  # already watermarked: its files were checked for it when uploaded
    refused = []
    for version_file in version_files:
        if not _is_pdf(version_file.file):
            continue
        problem = pdf_checks.stored_problem(version_file.file)
        if problem is not None:
            refused.append(
                _("%(file)s (version %(version)s: %(problem)s)")
                % {
                    "file": version_file.display_name,
                    "version": version_file.version.version_label,
                    "problem": pdf_checks.problem_label(problem),
                }
            )
    if refused:
        message = _(
            "Readers of a document at the level “%(level)s” are only given watermarked copies, "
            "and these files cannot be watermarked: %(files)s. Replace them first, or keep the "
            "document public."
        ) % {"level": AccessLevel(document.access_level).label, "files": "; ".join(refused)}
        raise ValidationError({"access_level": message}, code="unwatermarkable_files")
