import datetime

from django.core.management.base import BaseCommand, CommandError

from routing.selectors import partner_time_zones
from routing.services import capacity_check_run


class Command(BaseCommand):
    help = "Run the capacity check for a service date now (replaces that date's reports)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", required=True, help="Service date, YYYY-MM-DD.")
        parser.add_argument("--time-zone", help="Only this IANA time zone (default: all).")

    def handle(self, *args, date: str, time_zone: str | None, **options) -> None:
        try:
            service_date = datetime.date.fromisoformat(date)
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from error
        for zone in [time_zone] if time_zone else partner_time_zones():
            report = capacity_check_run(service_date=service_date, time_zone=zone)
            findings = report.findings.count()
            self.stdout.write(
                f"{service_date} {zone}: {report.partners_checked} partners, "
                f"{report.packages_assigned} packages, {findings} findings"
            )
