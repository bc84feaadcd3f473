"""Recipients' personal data is kept only as long as needed (docs/data-retention.md)."""

import datetime

from django.db import transaction
from django.utils import timezone

from hubdelivery.lib.zipdata import zip_lookup
from packages.models import DeliveryAttempt, ManifestUpload, Package, PackageStatus

RETENTION = datetime.timedelta(days=30)
UNCONFIRMED_UPLOAD_RETENTION = datetime.timedelta(days=7)
FINISHED_STATUSES = (PackageStatus.DELIVERED, PackageStatus.RETURNED)


@transaction.atomic
def package_personal_data_purge(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Blank the recipient data of up to `batch` packages finished more than 30 days ago.
    Returns how many were purged; the caller repeats while it gets a full batch.

    1. Pick finished, not yet purged packages, oldest first, and lock them.
    2. Per ZIP: name and street blanked, coordinates moved to the ZIP's centroid (one UPDATE
       per ZIP, so the cost does not grow with the packages).
    3. Their delivery proofs: names and notes blanked, photo files deleted.
    Counts, statuses and the custody log stay as they were.
    """
    cutoff = (now or timezone.now()) - RETENTION
    packages = list(
        Package.objects.select_for_update()
        .filter(status__in=FINISHED_STATUSES, status_changed_at__lt=cutoff)
        .exclude(recipient_name="")
        .order_by("status_changed_at", "pk")
        .values_list("pk", "zip_code")[:batch]
    )
    by_zip: dict[str, list[int]] = {}
    for pk, zip_code in packages:
        by_zip.setdefault(zip_code, []).append(pk)
    for zip_code, pks in by_zip.items():
        place = zip_lookup(zip_code)
        centroid = {"latitude": place.latitude, "longitude": place.longitude} if place else {}
        Package.objects.filter(pk__in=pks).update(recipient_name="", address_line="", **centroid)
    attempts = DeliveryAttempt.objects.filter(package_id__in=[pk for pk, _ in packages])
    for attempt in attempts.exclude(photo=""):
        # Delete the file only once the blanking has committed.
        name, storage = attempt.photo.name, attempt.photo.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    attempts.update(recipient_name="", safe_place_note="", photo="")
    return len(packages)


@transaction.atomic
def manifest_upload_purge(*, now: datetime.datetime | None = None) -> int:
    """CSV uploads hold recipients' rows too: confirmed ones lose their rows after 30 days,
    unconfirmed ones are deleted 7 days after their service date."""
    now = now or timezone.now()
    emptied = (
        ManifestUpload.objects.filter(manifest__isnull=False, created__lt=now - RETENTION)
        .exclude(rows=[])
        .update(rows=[])
    )
    stale_before = (now - UNCONFIRMED_UPLOAD_RETENTION).date()
    deleted, _ = ManifestUpload.objects.filter(
        manifest__isnull=True, service_date__lt=stale_before
    ).delete()
    return emptied + deleted
