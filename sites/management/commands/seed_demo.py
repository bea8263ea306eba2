from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sites.demo.seed import Seeder

DEFAULT_PASSWORD = "trustportal-demo"


class Command(BaseCommand):
    help = "Fill the portal with realistic demo content and demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the demo accounts."
        )
        parser.add_argument(
            "--force", action="store_true", help="Allow running on production settings."
        )

    def handle(self, *args, password, force, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not force:
            raise CommandError(
                "Refusing to load demo content on production settings (use --force to insist)."
            )
        with transaction.atomic():
            Seeder(password=password, log=self.stdout.write).run()
        self.stdout.write(self.style.SUCCESS("Demo portal ready at http://127.0.0.1:8000/"))
        self.stdout.write("Demo accounts (user name / password):")
        for username, role in (
            ("admin", "administrator"),
            ("editor", "editor"),
            ("reader", "Example Bank's administrator (More › Admin), NDA not accepted"),
            ("contributor", "Example Bank member, Compliance Manager contributor"),
            ("personal", "personal account"),
        ):
            self.stdout.write(f"  {username:<11} / {password}   {role}")
