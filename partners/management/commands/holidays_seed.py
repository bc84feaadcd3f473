from django.core.management.base import BaseCommand, CommandParser

from partners.services.holidays import federal_holidays_seed, federal_holidays_seed_current


class Command(BaseCommand):
    help = "Seed the federal holidays the program closes on (this year and next, or --year)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="Only this year.")

    def handle(self, *args, year: int | None = None, **options) -> None:
        created = federal_holidays_seed(year=year) if year else federal_holidays_seed_current()
        self.stdout.write(f"{created} federal holidays added.")
