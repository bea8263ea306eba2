"""``python manage.py verify_audit_log``: walk the signed chain, exit non-zero on a problem.

It needs every key that signed an entry (``TRUSTPORTAL_AUDIT_KEYS``, old ones included)."""

from django.core.management.base import BaseCommand, CommandError

from cms.audit.verification import DEFAULT_CHUNK_SIZE, Anchor, verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's signed hash chain and report the first entry that was altered, "
        "inserted or removed, or signed with a key that is not configured. Exits with status 1 "
        "if the chain is broken."
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
        # Legacy entries nothing seals yet are no failure (a log migrated a moment ago looks
        # like this), but no proof either: said in the summary, shown as a warning.
        unsealed = result.legacy.entries and result.legacy.sealed_by is None
        style = self.style.WARNING if unsealed else self.style.SUCCESS
        self.stdout.write(style(result.summary()))
