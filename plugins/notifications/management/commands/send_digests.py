from django.core.management.base import BaseCommand

from plugins.notifications.digests import send_due_digests


class Command(BaseCommand):
    help = "Send the daily and weekly digests that are due (for deployments without workers)."

    def handle(self, *args, **options):
        count = send_due_digests()
        self.stdout.write(f"{count} digest e-mail(s) queued")
