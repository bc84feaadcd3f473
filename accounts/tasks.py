from celery import shared_task


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True)
def email_send_task(*, email_id: int) -> bool:
    """Send one queued email. Returns False when it was already sent (a retry or a redelivery)."""
    from accounts.emails import outbound_email_send

    return outbound_email_send(email_id=email_id)


@shared_task(acks_late=True)
def sessions_clear_expired_task() -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
