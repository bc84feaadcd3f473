"""The email outbox: every email the portal sends is rendered, queued and sent here.

`email_queue` writes an OutboundEmail row in the caller's transaction and, once that commits,
queues `email_send_task`, which sends the row once and stamps `sent_at`. Callers use
`email_send_templated` (the portal's own emails) or `email_queue` (allauth's, already rendered).
Templates live in templates/emails/<name>-subject.txt, <name>-body.txt and <name>-body.html.

The outbox is a table, so it lives in the lowest app (accounts) rather than in hubdelivery.lib,
which holds no models; every app above may call it.
"""

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import OutboundEmail


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    return " ".join(subject.split()), text, html


def email_queue(*, to: str, subject: str, text: str, html: str = "", kind: str) -> None:
    """Store the message and send it once the surrounding transaction commits."""
    email = OutboundEmail.objects.create(
        to=to, subject=subject, body_text=text, body_html=html, kind=kind
    )
    transaction.on_commit(lambda: email_send_task.delay(email_id=email.pk))


def email_send_templated(*, template: str, to: str, context: dict[str, Any]) -> None:
    subject, text, html = email_render(template=template, context=context)
    email_queue(to=to, subject=subject, text=text, html=html, kind=template)


@transaction.atomic
def outbound_email_send(*, email_id: int) -> bool:
    """Send the queued email unless it was already sent.

    The row lock serialises two deliveries of the same task (a retry racing a redelivery):
    the second one waits, then sees `sent_at` and sends nothing.
    """
    email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None or email.sent_at is not None:
        return False
    message = EmailMultiAlternatives(
        email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()
    email.sent_at = timezone.now()
    email.save(update_fields=["sent_at"])
    return True


# The task lives with the queue that enqueues it, so the outbox is one module without an
# import circle. Its name stays the one messages already waiting in the broker carry.
@shared_task(
    name="accounts.tasks.email_send_task",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OSError,),
    retry_backoff=True,
)
def email_send_task(*, email_id: int) -> bool:
    """Send one queued email. Returns False when it was already sent (a retry or a redelivery)."""
    return outbound_email_send(email_id=email_id)
