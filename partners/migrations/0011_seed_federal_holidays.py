"""The federal holidays the program closes on, for this year and the next (the yearly beat
task, partners.tasks.federal_holidays_seed_task, keeps the calendar a year ahead)."""

import datetime

import holidays
from django.db import migrations

PROGRAM_FEDERAL_HOLIDAYS = {
    "New Year's Day",
    "Memorial Day",
    "Independence Day",
    "Labor Day",
    "Thanksgiving Day",
    "Christmas Day",
}


def seed(apps, schema_editor):
    HolidayDay = apps.get_model("partners", "HolidayDay")
    year = datetime.date.today().year
    for date, name in holidays.country_holidays("US", years=[year, year + 1]).items():
        if name in PROGRAM_FEDERAL_HOLIDAYS:
            HolidayDay.objects.get_or_create(date=date, name=name, kind="federal")


class Migration(migrations.Migration):
    dependencies = [("partners", "0010_holiday_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
