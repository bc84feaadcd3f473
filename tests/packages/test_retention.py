import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from hubdelivery.celery import app
from hubdelivery.lib.zipdata import zip_lookup
from packages.models import DeliveryAttempt, ManifestUpload, PackageEvent, PackageStatus
from packages.services.retention import manifest_upload_purge
from packages.tasks import packages_personal_data_purge_task
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import new_key


def finished(days_ago: int, status=PackageStatus.DELIVERED, **fields):
    return PackageFactory(
        status=status,
        status_changed_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )


def test_recipient_data_is_blanked_30_days_after_delivery(db, django_capture_on_commit_callbacks):
    # given
    old, recent = finished(31, zip_code="02115"), finished(29)
    returned, still_open = (
        finished(40, PackageStatus.RETURNED),
        finished(60, PackageStatus.RECEIVED),
    )
    event = PackageEvent.objects.create(
        package=old, event_type="delivered", idempotency_key=new_key(), received_at=timezone.now()
    )
    attempt = DeliveryAttempt(
        package=old,
        event=event,
        outcome="delivered",
        attempted_at=event.received_at,
        recipient_name="Jo",
    )
    attempt.photo.save("door.png", ContentFile(b"png"), save=True)
    photo_path = attempt.photo.path
    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert packages_personal_data_purge_task.delay().get() == 2
    # then
    for package in (old, recent, returned, still_open):
        package.refresh_from_db()
    centroid = zip_lookup("02115")
    assert (old.recipient_name, old.address_line) == ("", "")
    assert (old.latitude, old.longitude) == (centroid.latitude, centroid.longitude)
    assert returned.recipient_name == ""
    assert recent.recipient_name and still_open.recipient_name
    attempt.refresh_from_db()
    assert (attempt.recipient_name, attempt.photo.name) == ("", "")
    assert not os.path.exists(photo_path)
    # and the custody log is untouched; a second run purges nothing
    assert PackageEvent.objects.filter(package=old).count() == 1
    assert packages_personal_data_purge_task.delay().get() == 0


def test_staged_uploads_are_emptied_or_deleted(db, reviewer):
    manifest = ManifestFactory()
    today = timezone.localdate()
    common = {"dsp": manifest.dsp, "partner": manifest.partner, "file_name": "m.csv"}
    confirmed = ManifestUpload.objects.create(
        **common, service_date=today, external_id="A", rows=[{"x": 1}], manifest=manifest
    )
    ManifestUpload.objects.filter(pk=confirmed.pk).update(
        created=timezone.now() - datetime.timedelta(days=31)
    )
    ManifestUpload.objects.create(
        **common, service_date=today - datetime.timedelta(days=8), external_id="B", rows=[{"x": 1}]
    )
    fresh = ManifestUpload.objects.create(**common, service_date=today, external_id="C", rows=[1])
    # when
    assert manifest_upload_purge() == 2
    # then
    confirmed.refresh_from_db()
    assert confirmed.rows == []
    assert set(ManifestUpload.objects.values_list("pk", flat=True)) == {confirmed.pk, fresh.pk}


@pytest.mark.celery_worker
def test_purge_task_runs_on_a_real_worker(celery_worker_on_redis):
    # given a package delivered 31 days ago
    old = finished(31)
    # when beat's nightly task goes through Redis to the worker
    purged = app.send_task("packages.tasks.packages_personal_data_purge_task").get(timeout=15)
    # then the worker blanked the recipient, and a second run finds nothing
    assert purged == 1
    old.refresh_from_db()
    assert (old.recipient_name, old.address_line) == ("", "")
    assert app.send_task("packages.tasks.packages_personal_data_purge_task").get(timeout=15) == 0
