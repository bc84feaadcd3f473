from celery import shared_task

# The outbox's tasks are defined beside its queue (accounts/emails.py); importing them here is what
# registers them in the worker, which autodiscovers each app's tasks module.
from accounts.emails import email_send_task, outbox_sweep_task

__all__ = ["email_send_task", "outbox_sweep_task", "sessions_clear_expired_task"]


@shared_task(acks_late=True)
def sessions_clear_expired_task() -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
