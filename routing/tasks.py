import datetime

from celery import shared_task


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True)
def capacity_check_task(*, service_date: str, time_zone: str, force: bool = False) -> int:
    """Run one night's check for one time zone; returns the report id. Idempotent: the
    report is unique per date and zone, and `force=False` skips a finished one."""
    from django.db import transaction

    from routing.services import capacity_check_run

    report = capacity_check_run(
        service_date=datetime.date.fromisoformat(service_date), time_zone=time_zone, force=force
    )
    # The night's check is also when the next day's routes are built.
    transaction.on_commit(
        lambda: routes_build_task.delay(service_date=service_date, time_zone=time_zone)
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


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True)
def partner_route_build_task(*, partner_id: int, service_date: str) -> int:
    """Build one partner's route for the date (idempotent: it replaces the route)."""
    from partners.models import Partner
    from routing.services import partner_route_build

    partner = Partner.objects.get(pk=partner_id)
    route = partner_route_build(
        partner=partner, service_date=datetime.date.fromisoformat(service_date)
    )
    return route.pk


@shared_task(acks_late=True)
def routes_build_task(*, service_date: str, time_zone: str) -> int:
    """Fan out one route build per partner with packages on the date, so workers share it."""
    from routing.services import routes_due_partner_ids

    partner_ids = routes_due_partner_ids(
        service_date=datetime.date.fromisoformat(service_date), time_zone=time_zone
    )
    for partner_id in partner_ids:
        partner_route_build_task.delay(partner_id=partner_id, service_date=service_date)
    return len(partner_ids)
