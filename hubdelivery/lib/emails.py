"""Templated email, queued in an outbox row and sent by Celery after the transaction commits.

Templates live in templates/emails/<name>-subject.txt, <name>-body.txt and <name>-body.html.
"""

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    return " ".join(subject.split()), text, html


def email_queue(*, to: str, subject: str, text: str, html: str = "", kind: str) -> None:
    """Store the message and send it once the surrounding transaction commits."""
    from accounts.models import OutboundEmail
    from accounts.tasks import email_send_task

    email = OutboundEmail.objects.create(
        to=to, subject=subject, body_text=text, body_html=html, kind=kind
    )
    transaction.on_commit(lambda: email_send_task.delay(email_id=email.pk))


def email_send_templated(*, template: str, to: str, context: dict[str, Any]) -> None:
    subject, text, html = email_render(template=template, context=context)
    email_queue(to=to, subject=subject, text=text, html=html, kind=template)
