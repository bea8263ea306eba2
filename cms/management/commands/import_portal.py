"""``python manage.py import_portal portal.zip``: load an ``export_portal`` archive into this
installation (migrated, same apps and plugins), all or nothing.

Everything is checked before anything is written (the archive's structure, its signature when
a key is given, every member's SHA-256 and size, the audit chain of its rows, the migrations);
the rows are loaded in one transaction, the files staged before it and moved in after it. Any
problem is one line on stderr and a non-zero exit status, with the installation as it was.
"""

import io

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cms.portability import signing
from cms.portability.importer import import_archive
from cms.portability.manifest import ArchiveError

SIGNATURE_NOTES = {
    signing.SignatureStatus.VERIFIED: "Signature verified with the signing key given.",
    signing.SignatureStatus.NOT_CHECKED: (
        "The archive is signed, but no signing key was given: its signature was NOT checked "
        f"(pass --signing-key-file or set {signing.ENVIRONMENT_VARIABLE})."
    ),
    signing.SignatureStatus.UNSIGNED: (
        "The archive is not signed: it was checked against its own manifest only, which whoever "
        "edits the archive can rewrite too."
    ),
}


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())


class Command(BaseCommand):
    help = "Replace this portal's content with an export_portal archive, verified first."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the ZIP file written by export_portal.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Import even though this installation has content (all of it is replaced, "
            "its files too).",
        )
        parser.add_argument(
            "--signing-key-file",
            help="File holding the key the archive was signed with (default: the "
            f"{signing.ENVIRONMENT_VARIABLE} environment variable). With a key, an archive "
            "not signed with it is refused.",
        )
        parser.add_argument(
            "--skip-search-index",
            action="store_true",
            help="Do not rebuild the search indexes afterwards.",
        )

    def handle(self, archive, replace=False, skip_search_index=False, **options):
        try:
            key = signing.load_key(options.get("signing_key_file"))
            report = import_archive(archive, replace=replace, key=key)
        except ArchiveError as error:
            raise CommandError(one_line(error)) from error
        rows = sum(found for _expected, found in report.counts.values())
        self.stdout.write(
            f"Imported {rows} rows of {len(report.counts)} models, {report.links} many-to-many "
            f"links and {report.files_checked} files ({report.files_moved} moved in, "
            f"{report.files_removed} of the replaced portal removed); audit log: "
            f"{report.audit_summary}"
        )
        note = SIGNATURE_NOTES[report.signature]
        if report.signature is signing.SignatureStatus.VERIFIED:
            self.stdout.write(note)
        else:
            self.stdout.write(self.style.WARNING(note))
        if report.file_problems:
            raise CommandError(
                f"The database was imported, but {len(report.file_problems)} file(s) differ "
                f"from the archive: {'; '.join(report.file_problems)}"
            )
        if not skip_search_index:
            # Search indexes are derived data, never carried in the archive: Wagtail's (the
            # admin's search) and the portal's (the database's entries, and Elasticsearch's
            # indexes when it is configured).
            call_command("update_index", verbosity=0)
            progress = io.StringIO()
            call_command("rebuild_search_index", verbosity=0, stdout=progress)
            self.stdout.write(progress.getvalue().strip().splitlines()[-1])
        self.stdout.write(self.style.SUCCESS("Counts, file checksums and the audit chain match."))
