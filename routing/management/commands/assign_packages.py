import datetime

from django.core.management.base import BaseCommand, CommandError

from packages.models import Dsp
from routing.services import packages_assign


class Command(BaseCommand):
    help = (
        "Assign every DSP's packages of a service date to partners now (the packages that are "
        "still manifested and that the DSP did not place itself)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", required=True, help="Service date, YYYY-MM-DD.")

    def handle(self, *args, date: str, **options) -> None:
        try:
            service_date = datetime.date.fromisoformat(date)
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from error
        for dsp in Dsp.objects.order_by("pk"):
            result = packages_assign(dsp=dsp, service_date=service_date)
            if result.placed or result.unplaced:
                self.stdout.write(
                    f"{service_date} {dsp}: {result.placed} placed, "
                    f"{result.unplaced} left with the DSP"
                )
