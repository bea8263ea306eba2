import time

from django.core.management.base import BaseCommand

from workflows.sweep import sweep


class Command(BaseCommand):
    help = (
        "Relay outbox events that waited for Redis and run the plugins' maintenance tasks "
        "(workers do this on their own; this is for cron or a one-off after an outage)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, every=0, **options):
        while True:
            sweep()
            if not every:
                return
            time.sleep(every)
