from celery import shared_task

PURGE_BATCH = 500


@shared_task(acks_late=True)
def packages_personal_data_purge_task() -> int:
    """Nightly: blank recipients' data past its retention, in batches; re-enqueues itself
    while there is more (idempotent: purged packages are skipped)."""
    from packages.services.retention import manifest_upload_purge, package_personal_data_purge

    purged = package_personal_data_purge(batch=PURGE_BATCH)
    if purged == PURGE_BATCH:
        packages_personal_data_purge_task.delay()
    else:
        manifest_upload_purge()
    return purged
