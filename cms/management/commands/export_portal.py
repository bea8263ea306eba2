"""``python manage.py export_portal portal.zip``: everything this installation holds (content,
revisions, users, NDA acceptances, the audit log, files of every storage) in one archive that
``import_portal`` loads into another installation, whatever its database. With a signing key
(``--signing-key-file``, or the environment), the archive is signed: the import, given the same
key, refuses any archive that was changed since."""

from django.core.management.base import BaseCommand, CommandError

from cms.portability import signing
from cms.portability.archive import export_archive
from cms.portability.manifest import ArchiveError


class Command(BaseCommand):
    help = "Export all content, files and logs of this portal to a ZIP archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the ZIP file to write.")
        parser.add_argument(
            "--allow-missing-files",
            action="store_true",
            help="Write the archive even if some stored files are missing (they are listed).",
        )
        parser.add_argument(
            "--signing-key-file",
            help="File holding the key to sign the archive with (HMAC-SHA256; default: the "
            f"{signing.ENVIRONMENT_VARIABLE} environment variable; neither: not signed).",
        )

    def handle(self, archive, allow_missing_files=False, **options):
        try:
            key = signing.load_key(options.get("signing_key_file"))
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        manifest = export_archive(archive, key=key)
        for record in manifest.missing_files:
            self.stderr.write(f"Missing file: {record.model}.{record.field} {record.name}")
        if manifest.missing_files and not allow_missing_files:
            raise CommandError(
                f"{len(manifest.missing_files)} stored file(s) are missing; the archive at "
                f"{archive} is incomplete. Restore them or pass --allow-missing-files."
            )
        rows = sum(manifest.counts.values())
        size = sum(record.size for record in manifest.files)
        signed = (
            "signed (key fingerprint " + signing.fingerprint(key) + ")"
            if key
            else "not signed (pass --signing-key-file to sign it)"
        )
        self.stdout.write(
            f"Exported {rows} rows of {len(manifest.counts)} models and "
            f"{len(manifest.files)} files ({size} bytes) to {archive}, {signed}."
        )
        if options["verbosity"] > 1:
            for label, count in manifest.counts.items():
                self.stdout.write(f"  {label}: {count}")
