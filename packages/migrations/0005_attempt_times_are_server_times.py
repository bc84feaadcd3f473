"""Attempt times written before issue 14 came from the device's clock (`device_time or
received_at`). Business times are the server's: date every attempt by its event's receipt. The
device's time stays on the event, so nothing is lost and the reverse needs no work."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def attempt_times_from_the_server(apps, schema_editor):
    DeliveryAttempt = apps.get_model("packages", "DeliveryAttempt")
    PackageEvent = apps.get_model("packages", "PackageEvent")
    received_at = PackageEvent.objects.filter(pk=OuterRef("event_id")).values("received_at")[:1]
    DeliveryAttempt.objects.update(attempted_at=Subquery(received_at))


class Migration(migrations.Migration):
    dependencies = [
        ("packages", "0004_package_event_queued_for_return"),
    ]

    operations = [
        migrations.RunPython(attempt_times_from_the_server, migrations.RunPython.noop),
    ]
