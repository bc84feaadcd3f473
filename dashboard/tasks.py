from celery import shared_task


@shared_task(acks_late=True)
def weekly_statements_compute_task() -> dict[str, str]:
    """Hourly on Mondays (UTC): each zone's week that has just ended, once it has ended there.
    Idempotent: a re-run replaces the week's statements."""
    from dashboard.services import weekly_statements_compute_due

    return weekly_statements_compute_due()
