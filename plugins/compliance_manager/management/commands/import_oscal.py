import sys

from django.core.management.base import BaseCommand, CommandError

from plugins.compliance_manager.oscal import BUILTIN_CATALOGS
from plugins.compliance_manager.oscal.importing import import_file
from plugins.compliance_manager.oscal.parsing import OscalError

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import OSCAL catalogs or resolved-profile catalogs (JSON or YAML) as Compliance "
        "Manager templates. Idempotent; a malformed file is rejected and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="OSCAL catalog files, JSON or YAML")
        parser.add_argument(
            "--builtin", action="store_true", help="Import the templates shipped with the plugin."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, files, builtin, no_progress, **options):
        paths = list(files) + ([str(p) for p in BUILTIN_CATALOGS] if builtin else [])
        if not paths:
            raise CommandError("Name one or more OSCAL files, or pass --builtin.")
        for path in paths:
            try:
                report = import_file(path, progress=None if no_progress else self._bar(path))
            except FileNotFoundError as error:
                raise CommandError(f"{path}: no such file.") from error
            except OscalError as error:
                raise CommandError(f"{path}: {error} Nothing was changed.") from error
            self.stdout.write(self.style.SUCCESS(report.summary()))

    def _bar(self, path):
        stream = sys.stderr

        drawn = {"filled": -1}

        def progress(done: int, total: int) -> None:
            filled = BAR_WIDTH * done // total
            # Redraw only when the bar grows, not once per control.
            if filled == drawn["filled"] and done != total:
                return
            drawn["filled"] = filled
            stream.write(
                f"\r{path[-40:]:>40} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
            )
            if done == total:
                stream.write("\n")
            stream.flush()

        return progress
