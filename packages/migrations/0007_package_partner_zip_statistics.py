"""PostgreSQL statistics on how many (partner, ZIP) pairs the packages hold. The capacity
check groups a night's packages by partner and ZIP; without them PostgreSQL multiplies the
two columns' distinct counts, guesses more than ten times the groups, and sorts a few
million rows on disk instead of hashing them (docs/performance.md, "Capacity check").
Other databases have no such statistics: nothing to do there."""

from django.db import migrations

STATISTICS = "packages_package_partner_zip"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) "
        "ON partner_id, zip_code FROM packages_package"
    )
    schema_editor.execute("ANALYZE packages_package")  # so the next check plans with them


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("packages", "0006_dsp_managers_and_key_rotation"),
    ]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
