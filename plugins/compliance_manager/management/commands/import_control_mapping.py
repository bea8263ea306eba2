from django.core.management.base import BaseCommand, CommandError

from plugins.compliance_manager.oscal import BUILTIN_MAPPINGS
from plugins.compliance_manager.oscal.mapping_importing import find_template, import_mapping_file
from plugins.compliance_manager.oscal.mapping_parsing import MappingError


class Command(BaseCommand):
    help = (
        "Import mappings between frameworks (an OSCAL mapping collection in JSON, or a CSV file "
        "with the columns source_control, target_control, relationship and optionally "
        "source_catalog, target_catalog, remarks) between imported templates. Idempotent; a "
        "malformed file, or one naming an unknown template or control, changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="OSCAL mapping JSON or CSV files")
        parser.add_argument(
            "--source-template",
            help="The template of every map's sources (its OSCAL UUID, title or file name), "
            "whatever the file says.",
        )
        parser.add_argument(
            "--target-template",
            help="The template of every map's targets (its OSCAL UUID, title or file name).",
        )
        parser.add_argument(
            "--builtin", action="store_true", help="Import the mappings shipped with the plugin."
        )

    def handle(self, *args, files, source_template, target_template, builtin, **options):
        paths = list(files) + ([str(p) for p in BUILTIN_MAPPINGS] if builtin else [])
        if not paths:
            raise CommandError("Name one or more mapping files, or pass --builtin.")
        try:
            source = find_template(source_template) if source_template else None
            target = find_template(target_template) if target_template else None
        except MappingError as error:
            raise CommandError(str(error)) from error
        for path in paths:
            try:
                report = import_mapping_file(path, source, target)
            except FileNotFoundError as error:
                raise CommandError(f"{path}: no such file.") from error
            except OSError as error:
                raise CommandError(f"{path}: cannot be read ({error.strerror}).") from error
            except MappingError as error:
                raise CommandError(f"{path}: {error} Nothing was changed.") from error
            self.stdout.write(self.style.SUCCESS(report.summary()))
