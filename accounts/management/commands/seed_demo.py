from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_LANGUAGES, DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Load demo data for every app (idempotent). Refuses to run when DEBUG is off."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates known passwords.")
        with transaction.atomic():
            for module_name in settings.DEMO_SEEDERS:
                import_module(module_name).seed()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Log in at /accounts/login/ as:"))
        for email, _, role in DEMO_USERS:
            language = " (reads it in Spanish)" if DEMO_LANGUAGES.get(email) == "es" else ""
            self.stdout.write(f"  {role.label:<15} {email:<22} password: {DEMO_PASSWORD}{language}")
