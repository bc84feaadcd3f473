import datetime

from celery import shared_task


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True)
def capacity_check_task(*, service_date: str, time_zone: str, force: bool = False) -> int:
    """Run one night's check for one time zone; returns the report id. Idempotent: the
    report is unique per date and zone, and `force=False` skips a finished one."""
    from django.db import transaction

    from routing.selectors import packages_assign_due_dsp_ids
    from routing.services import capacity_check_run

    # Packages not yet placed go to partners first, so the check sees the day's real load.
    # Called in this worker, not queued: the check must not start before they are placed.
    day = datetime.date.fromisoformat(service_date)
    for dsp_id in packages_assign_due_dsp_ids(service_date=day):
        packages_assign_task(dsp_id=dsp_id, service_date=service_date)
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
    from routing.selectors import routes_due_partner_ids

    partner_ids = routes_due_partner_ids(
        service_date=datetime.date.fromisoformat(service_date), time_zone=time_zone
    )
    for partner_id in partner_ids:
        partner_route_build_task.delay(partner_id=partner_id, service_date=service_date)
    return len(partner_ids)


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True)
def packages_assign_task(*, dsp_id: int, service_date: str) -> list[int]:
    """Assign the DSP's packages of the date; returns [placed, left with the DSP].
    Idempotent: a re-run places the same packages the same way."""
    from packages.models import Dsp
    from routing.services import packages_assign

    dsp = Dsp.objects.get(pk=dsp_id)
    result = packages_assign(dsp=dsp, service_date=datetime.date.fromisoformat(service_date))
    return [result.placed, result.unplaced]
