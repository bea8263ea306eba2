from django.core.management.base import BaseCommand

from workflows.cron import PortalCronScheduler, register_jobs


class Command(BaseCommand):
    help = (
        "Run the portal's periodic jobs (the sweep, every TRUSTPORTAL_SWEEP_SECONDS) on RQ's "
        "cron scheduler, next to the workers; it waits through Redis outages and needs no "
        "restart when Redis comes back empty."
    )

    def handle(self, *args, **options):
        scheduler = PortalCronScheduler()
        register_jobs(scheduler)
        scheduler.start()
