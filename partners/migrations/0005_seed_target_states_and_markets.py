"""The program's 23 target states and its five named markets, seeded active.

Values are written out (not read from the `zipcodes` package) so the migration gives the
same rows forever. Existing rows are left alone, so ops' later edits survive a re-run.
"""

from django.db import migrations

TARGET_STATES = [
    "AL", "AK", "AR", "CA", "FL", "IA", "IN", "IL", "MA", "MN", "NC", "ND",
    "NJ", "NY", "OH", "SD", "WA", "MI", "MS", "MO", "NE", "OK", "WI",
]  # fmt: skip

# name, state, centre ZIP, latitude, longitude of the ZIP centroid
MARKETS = [
    ("New York", "NY", "10001", 40.7484, -73.9967),
    ("Boston", "MA", "02108", 42.3576, -71.0684),
    ("Los Angeles", "CA", "90012", 34.0614, -118.2385),
    ("Seattle", "WA", "98104", 47.6036, -122.3256),
    ("Hoboken", "NJ", "07030", 40.7445, -74.0329),
]


def seed(apps, schema_editor):
    TargetState = apps.get_model("partners", "TargetState")
    Market = apps.get_model("partners", "Market")
    for code in TARGET_STATES:
        TargetState.objects.get_or_create(code=code, defaults={"is_active": True})
    for name, state, center_zip, latitude, longitude in MARKETS:
        Market.objects.get_or_create(
            name=name,
            defaults={
                "state": state,
                "center_zip": center_zip,
                "latitude": latitude,
                "longitude": longitude,
                "radius_miles": 10,
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_recruiting")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
