from celery import shared_task


@shared_task(acks_late=True)
def partners_resume_due_task() -> list[int]:
    """Nightly: resume partners whose pause ended (idempotent: resumed partners are skipped)."""
    from partners.services.partners import partners_resume_due

    return partners_resume_due()


@shared_task(acks_late=True)
def federal_holidays_seed_task() -> int:
    """Yearly (and harmless any day): this year's and next year's federal holidays."""
    from partners.services.holidays import federal_holidays_seed_current

    return federal_holidays_seed_current()
