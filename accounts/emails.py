"""The email outbox: every email the portal sends is rendered, queued and sent here.

`email_queue` writes an OutboundEmail row in the caller's transaction and, once that commits,
queues `email_send_task`, which claims the row (compare-and-swap), sends it and stamps
`sent_at`. Callers use `email_send_templated` (the portal's own emails) or `email_queue`
(allauth's, already rendered). Templates live in templates/emails/<name>-subject.txt,
<name>-body.txt and <name>-body.html.

The broker may be down: the enqueue then logs and leaves the row waiting, and beat's
`outbox_sweep_task` re-queues waiting rows once they are STALE_AFTER old, at most
SWEEP_BATCH a run and MAX_ATTEMPTS times, then marks them failed and alerts ops (an ERROR
log). An email is sent at most once: only the worker whose claim succeeds sends, and a claim
whose worker died mid-send is never retried (the email may have left), only reported.

The outbox is a table, so it lives in the lowest app (accounts) rather than in hubdelivery.lib,
which holds no models; every app above may call it.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as BrokerUnreachable

from accounts.models import OutboundEmail, User

logger = logging.getLogger(__name__)
# Re-queue a waiting email this long after it was last queued: well past a healthy queue's
# delay, so the sweeper does not race the first delivery.
STALE_AFTER = datetime.timedelta(minutes=5)
# A claim older than this outlived the task's hard time limit: its worker died mid-send.
CLAIM_EXPIRES_AFTER = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 5
SWEEP_BATCH = 100


def email_render(
    *, template: str, context: dict[str, Any], language: str | None = None
) -> tuple[str, str, str]:
    """Subject, text and HTML of templates/emails/<template>-*, in `language`, else in the
    active language (email_send_templated always names one: the recipient's)."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}-subject.txt", context)
        text = render_to_string(f"emails/{template}-body.txt", context)
        html = render_to_string(f"emails/{template}-body.html", context)
    return " ".join(subject.split()), text, html


def recipient_language(*, to: str) -> str:
    """The saved language of the user with this address; "" for none or no such user."""
    saved = User.objects.filter(email__iexact=to).values_list("language", flat=True).first()
    return saved or ""


def email_language(*, to: str, language: str | None) -> str:
    """The language an email is written in: the caller's `language` when given (a user's
    saved one, "" when they follow the browser: there is none in an inbox), else the
    recipient's saved language looked up by address, else English."""
    chosen = recipient_language(to=to) if language is None else language
    return chosen or settings.LANGUAGE_CODE


def email_queue(*, to: str, subject: str, text: str, html: str = "", kind: str) -> None:
    """Store the message and queue it once the surrounding transaction commits."""
    email = OutboundEmail.objects.create(
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind,
        queued_at=timezone.now(),
        attempts=1,
    )
    transaction.on_commit(lambda: email_enqueue(email_id=email.pk))


def email_send_templated(
    *, template: str, to: str, context: dict[str, Any], language: str | None = None
) -> None:
    """Render templates/emails/<template>-* in the recipient's language (email_language) and
    queue the email. Pass `language=user.language` when the recipient's row is at hand: it
    saves the look-up by address."""
    language = email_language(to=to, language=language)
    subject, text, html = email_render(template=template, context=context, language=language)
    email_queue(to=to, subject=subject, text=text, html=html, kind=template)


def email_enqueue(*, email_id: int) -> bool:
    """Hand the email to the task queue. With the broker down, log and leave the row waiting
    for the sweeper: the change that queued it has committed and its request must not fail."""
    try:
        email_send_task.delay(email_id=email_id)
    except BrokerUnreachable as error:
        logger.warning("Broker unreachable (%s): email %s waits in the outbox", error, email_id)
        return False
    return True


def outbound_email_claim(*, email_id: int) -> bool:
    """Compare-and-swap: True for the one caller that moves the row from waiting to sending.
    A retry racing a redelivery, or a second message for the same row, gets False."""
    claimed = OutboundEmail.objects.filter(
        pk=email_id, sent_at=None, failed_at=None, claimed_at=None
    ).update(claimed_at=timezone.now())
    return claimed == 1


def outbound_email_send(*, email_id: int) -> bool:
    """Send the email if this call wins its claim; False when it was sent, failed or is being
    sent elsewhere. A send that raises releases the claim, so the task's retry may try again."""
    if not outbound_email_claim(email_id=email_id):
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        email_message(email).send()
    except Exception as error:
        OutboundEmail.objects.filter(pk=email_id).update(
            claimed_at=None, last_error=str(error)[:255]
        )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(sent_at=timezone.now())
    logger.info("Sent email %s (%s)", email_id, email.kind)
    return True


def email_message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int


def outbox_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """One sweeper run:
    1. fail the claims whose worker died mid-send (the email may have left: never resent);
    2. fail the waiting emails queued MAX_ATTEMPTS times already;
    3. re-queue up to SWEEP_BATCH of the others waiting since before STALE_AFTER, oldest
       first; stop at the first broker error (the next run resumes).
    Each ERROR log names the email, for ops to resend or drop by hand."""
    now = now or timezone.now()
    failed = outbox_fail_stale_claims(now=now) + outbox_fail_exhausted(now=now)
    requeued = 0
    for email_id, queued_at in outbox_stale_ids(now=now):
        if not outbound_email_requeue_claim(email_id=email_id, queued_at=queued_at, now=now):
            continue  # another sweeper took it
        if not email_enqueue(email_id=email_id):
            break
        requeued += 1
    return SweepResult(requeued=requeued, failed=failed)


def waiting() -> Any:
    return OutboundEmail.objects.filter(sent_at=None, failed_at=None)


def outbox_stale_ids(*, now: datetime.datetime) -> list[tuple[int, datetime.datetime | None]]:
    stale = (
        waiting()
        .filter(claimed_at=None, attempts__lt=MAX_ATTEMPTS)
        .exclude(queued_at__gte=now - STALE_AFTER)
    )
    rows = stale.order_by(F("queued_at").asc(nulls_first=True), "pk")[:SWEEP_BATCH]
    return list(rows.values_list("pk", "queued_at"))


def outbound_email_requeue_claim(
    *, email_id: int, queued_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Compare-and-swap on `queued_at`, so two sweepers never queue the same row twice."""
    claimed = waiting().filter(pk=email_id, claimed_at=None, queued_at=queued_at)
    return claimed.update(queued_at=now, attempts=F("attempts") + 1) == 1


def outbox_fail_stale_claims(*, now: datetime.datetime) -> int:
    stale = waiting().filter(claimed_at__lt=now - CLAIM_EXPIRES_AFTER)
    return outbox_fail(stale, now=now, reason="its worker died mid-send; it may have left")


def outbox_fail_exhausted(*, now: datetime.datetime) -> int:
    exhausted = (
        waiting()
        .filter(claimed_at=None, attempts__gte=MAX_ATTEMPTS)
        .exclude(queued_at__gte=now - STALE_AFTER)
    )
    return outbox_fail(exhausted, now=now, reason=f"queued {MAX_ATTEMPTS} times, never sent")


def outbox_fail(candidates: Any, *, now: datetime.datetime, reason: str) -> int:
    """Mark each candidate failed (compare-and-swap on failed_at) and alert ops once per email."""
    failed = 0
    for email in candidates[:SWEEP_BATCH]:
        if waiting().filter(pk=email.pk).update(failed_at=now, last_error=reason[:255]) != 1:
            continue
        failed += 1
        logger.error(
            "Outbox gave up on email %s (%s to %s, queued %s times): %s",
            email.pk, email.kind, email.to, email.attempts, reason,
        )  # fmt: skip
    return failed


# The tasks live with the queue that enqueues them, so the outbox is one module without an
# import circle. The send task's name stays the one messages already waiting in the broker carry.
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


@shared_task(name="accounts.tasks.outbox_sweep_task", acks_late=True)
def outbox_sweep_task() -> dict[str, int]:
    """Beat, every two minutes: re-queue the emails whose task was lost (outbox_sweep)."""
    result = outbox_sweep()
    return {"requeued": result.requeued, "failed": result.failed}
