"""``python manage.py export_portal portal.zip``: everything this installation holds (content,
revisions, users, NDA acceptances, the audit log, files of every storage) in one archive that
``import_portal`` loads into another installation, whatever its database."""

from django.core.management.base import BaseCommand, CommandError

from cms.portability.archive import export_archive


class Command(BaseCommand):
    help = "Export all content, files and logs of this portal to a ZIP archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the ZIP file to write.")
        parser.add_argument(
            "--allow-missing-files",
            action="store_true",
            help="Write the archive even if some stored files are missing (they are listed).",
        )

    def handle(self, archive, allow_missing_files=False, **options):
        manifest = export_archive(archive)
        for record in manifest.missing_files:
            self.stderr.write(f"Missing file: {record.model}.{record.field} {record.name}")
        if manifest.missing_files and not allow_missing_files:
            raise CommandError(
                f"{len(manifest.missing_files)} stored file(s) are missing; the archive at "
                f"{archive} is incomplete. Restore them or pass --allow-missing-files."
            )
        rows = sum(manifest.counts.values())
        size = sum(record.size for record in manifest.files)
        self.stdout.write(
            f"Exported {rows} rows of {len(manifest.counts)} models and "
            f"{len(manifest.files)} files ({size} bytes) to {archive}."
        )
        if options["verbosity"] > 1:
            for label, count in manifest.counts.items():
                self.stdout.write(f"  {label}: {count}")
