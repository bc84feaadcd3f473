from celery import shared_task


@shared_task(acks_late=True)
def weekly_statements_compute_task() -> dict[str, str]:
    """Hourly on Mondays (UTC): each zone's week that has just ended, once it has ended there,
    then each zone's statement emails. Idempotent: a re-run replaces the week's statements and
    sends no email twice (NotificationSent)."""
    from dashboard.services import weekly_statements_compute_due

    done = weekly_statements_compute_due()  # committed when it returns: the emails read it
    for time_zone, week_start in done.items():
        weekly_statements_notify_task.delay(week_start=week_start, time_zone=time_zone)
    return done


@shared_task(acks_late=True)
def weekly_statements_notify_task(*, week_start: str, time_zone: str) -> int:
    """The week's statement emails of one zone; each owner gets it once (NotificationSent)."""
    import datetime

    from dashboard.notifications import weekly_statements_notify

    monday = datetime.date.fromisoformat(week_start)
    return weekly_statements_notify(week_start=monday, time_zone=time_zone)


@shared_task(acks_late=True)
def tomorrow_volume_notify_task() -> int:
    """Hourly: owners whose evening has begun hear tomorrow's volume, once per day."""
    from dashboard.notifications import tomorrow_volume_notify_due

    return tomorrow_volume_notify_due()


@shared_task(acks_late=True)
def ops_daily_digest_task() -> int:
    """Daily: yesterday's operations and the open findings to ops, once per day."""
    from dashboard.notifications import ops_daily_digest_notify

    return ops_daily_digest_notify()


@shared_task(acks_late=True)
def facts_refresh_task() -> int:
    """Every minute: the dashboard's daily facts of the packages that changed, and all of
    today's. Idempotent: a re-run recomputes the same rows."""
    from dashboard.services import facts_refresh

    return facts_refresh(include_today=True)
