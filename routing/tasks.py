import datetime

from celery import shared_task


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True)
def capacity_check_task(*, service_date: str, time_zone: str, force: bool = False) -> int:
    """Run one night's check for one time zone; returns the report id. Idempotent: the
    report is unique per date and zone, and `force=False` skips a finished one."""
    from routing.services import capacity_check_run

    report = capacity_check_run(
        service_date=datetime.date.fromisoformat(service_date), time_zone=time_zone, force=force
    )
    return report.pk


@shared_task(acks_late=True)
def capacity_checks_enqueue_due_task() -> list[list[str]]:
    """Hourly guard: enqueue the check of every time zone whose night has not run yet."""
    from routing.services import capacity_checks_due

    due = capacity_checks_due()
    for service_date, time_zone in due:
        capacity_check_task.delay(service_date=service_date.isoformat(), time_zone=time_zone)
    return [[service_date.isoformat(), time_zone] for service_date, time_zone in due]
