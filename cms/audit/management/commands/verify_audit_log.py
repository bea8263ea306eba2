"""``python manage.py verify_audit_log``: walk the hash chain, exit non-zero on a problem."""

from django.core.management.base import BaseCommand, CommandError

from cms.audit.verification import DEFAULT_CHUNK_SIZE, Anchor, verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain and report the first entry that was altered, "
        "inserted or removed. Exits with status 1 if the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            help=(
                "SEQUENCE:HASH of an entry known to have existed (the head an earlier run "
                "printed); catches a cut-off or rewritten tail."
            ),
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)

    def handle(self, *args, anchor=None, chunk_size=DEFAULT_CHUNK_SIZE, **options):
        try:
            parsed_anchor = Anchor.parse(anchor) if anchor else None
        except ValueError as error:
            raise CommandError(f"--anchor: {error}") from error
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        result = verify(anchor=parsed_anchor, chunk_size=chunk_size)
        if not result.ok:
            raise CommandError(result.summary(), returncode=1)
        self.stdout.write(self.style.SUCCESS(result.summary()))
