"""``python manage.py import_portal portal.zip``: load an ``export_portal`` archive into this
installation (migrated, same apps and plugins), then check per-model counts, file checksums and
the audit chain; exits with an error if anything differs."""

import io
import zipfile

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cms.portability.archive import ArchiveError
from cms.portability.importer import import_archive


class Command(BaseCommand):
    help = "Replace this portal's content with an export_portal archive and verify it."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the ZIP file written by export_portal.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Import even though this installation has content (all of it is replaced).",
        )
        parser.add_argument(
            "--skip-search-index",
            action="store_true",
            help="Do not rebuild the search indexes afterwards.",
        )

    def handle(self, archive, replace=False, skip_search_index=False, **options):
        try:
            report = import_archive(archive, replace=replace)
        except (ArchiveError, zipfile.BadZipFile, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        for problem in report.count_problems + report.file_problems:
            self.stderr.write(problem)
        rows = sum(found for _expected, found in report.counts.values())
        self.stdout.write(
            f"Imported {rows} rows of {len(report.counts)} models and "
            f"{report.files_checked} files; audit log: {report.audit_summary}"
        )
        if not report.ok:
            raise CommandError("The imported portal differs from the archive (see above).")
        if not skip_search_index:
            # Search indexes are derived data, never carried in the archive: Wagtail's (the
            # admin's search) and the portal's (the database's entries, and Elasticsearch's
            # indexes when it is configured).
            call_command("update_index", verbosity=0)
            progress = io.StringIO()
            call_command("rebuild_search_index", verbosity=0, stdout=progress)
            self.stdout.write(progress.getvalue().strip().splitlines()[-1])
        self.stdout.write(self.style.SUCCESS("Counts, file checksums and the audit chain match."))
