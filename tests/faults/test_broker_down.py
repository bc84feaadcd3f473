"""The broker down: requests still answer, their emails wait in the database outbox, and the
sweeper (accounts.emails.outbox_sweep) sends each once the broker is back."""

import datetime
import logging

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import emails
from accounts.emails import outbound_email_claim, outbound_email_send, outbox_sweep
from accounts.models import OutboundEmail
from tests.celery_worker import celery_worker_running, wait_for
from tests.faults.conftest import celery_broker_at, free_port

SIGNUP = {
    "email": "new.florist@mail.test",
    "password1": "tulips-42-may",
    "password2": "tulips-42-may",
}
LATER = datetime.timedelta(minutes=6)  # past the sweeper's STALE_AFTER (5 minutes)


def queue_one(to: str = "owner@mail.test") -> OutboundEmail:
    emails.email_queue(to=to, subject="Hello", text="Body", kind="test")
    return OutboundEmail.objects.get(to=to)


@pytest.mark.celery_worker
def test_broker_down_signup_answers_and_the_email_goes_out_once_when_it_is_back(
    client, transactional_db, own_redis, caplog
):
    # given the broker is a Redis of the test's own, stopped
    own_redis.stop()
    with celery_broker_at(own_redis.url):
        # when someone signs up (the confirmation email is queued after commit)
        with caplog.at_level(logging.WARNING, logger="accounts.emails"):
            response = client.post(reverse("account_signup"), SIGNUP)
        # then the request answers, and the email waits unsent in the outbox
        assert response.status_code == 302
        email = OutboundEmail.objects.get(to=SIGNUP["email"])
        assert (email.sent_at, mail.outbox) == (None, [])
        assert "Broker unreachable" in caplog.text

        # when the broker is back, with a worker, and the sweeper runs
        own_redis.start()
        for _worker in celery_worker_running(own_redis.url):
            first = outbox_sweep(now=timezone.now() + LATER)
            # then the email is sent, once
            assert first.requeued == 1
            assert wait_for(lambda: OutboundEmail.objects.filter(sent_at__isnull=False).exists())
            # and a second sweep sends nothing more
            second = outbox_sweep(now=timezone.now() + 2 * LATER)
            assert second.requeued == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [SIGNUP["email"]]


def test_enqueue_with_the_broker_down_logs_and_keeps_the_row(db, caplog):
    # given a broker nobody answers
    with celery_broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        email = OutboundEmail.objects.create(kind="t", to="a@mail.test", subject="s", body_text="b")
        # when
        queued = emails.email_enqueue(email_id=email.pk)
    # then
    assert queued is False
    email.refresh_from_db()
    assert email.sent_at is None
    assert f"email {email.pk} waits in the outbox" in caplog.text


def test_sweep_leaves_recently_queued_emails_to_their_own_task(
    db, django_capture_on_commit_callbacks
):
    # given an email queued a minute ago whose task has not run yet
    email = queue_one()
    # when the sweeper runs
    result = outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=1))
    # then it is not queued a second time
    assert result.requeued == 0
    email.refresh_from_db()
    assert email.attempts == 1


def test_sweep_requeues_a_stale_email_and_counts_the_attempt(db):
    # given an email whose task was lost (queued, never sent)
    email = queue_one()
    # when the sweeper runs six minutes later (eager Celery: the task runs at once)
    result = outbox_sweep(now=timezone.now() + LATER)
    # then it is sent, once, on its second attempt
    assert result.requeued == 1
    email.refresh_from_db()
    assert (email.attempts, email.sent_at is not None) == (2, True)
    assert len(mail.outbox) == 1


def test_sweep_is_capped_per_run(db, monkeypatch):
    # given three lost emails and a cap of two a run
    monkeypatch.setattr(emails, "SWEEP_BATCH", 2)
    for n in range(3):
        queue_one(to=f"owner{n}@mail.test")
    # when the sweeper runs twice
    first = outbox_sweep(now=timezone.now() + LATER)
    second = outbox_sweep(now=timezone.now() + LATER)
    # then the first run takes two, the next the last one
    assert (first.requeued, second.requeued) == (2, 1)
    assert len(mail.outbox) == 3


def test_sweep_gives_up_after_max_attempts_and_alerts_ops(db, caplog):
    # given an email queued MAX_ATTEMPTS times and never sent
    email = queue_one()
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=emails.MAX_ATTEMPTS)
    # when the sweeper runs
    with caplog.at_level(logging.ERROR, logger="accounts.emails"):
        result = outbox_sweep(now=timezone.now() + LATER)
    # then it is marked failed, not sent, and ops see an ERROR naming it
    assert (result.requeued, result.failed) == (0, 1)
    email.refresh_from_db()
    assert email.failed_at is not None and email.sent_at is None
    assert mail.outbox == []
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert f"Outbox gave up on email {email.pk}" in caplog.text
    # and a later run does not alert again
    assert outbox_sweep(now=timezone.now() + 2 * LATER).failed == 0


def test_claim_left_by_a_worker_that_died_mid_send_is_failed_not_resent(db, caplog):
    # given a worker claimed the email, then died (it may or may not have left)
    email = queue_one()
    assert outbound_email_claim(email_id=email.pk)
    # when the sweeper runs after the claim expired
    result = outbox_sweep(now=timezone.now() + emails.CLAIM_EXPIRES_AFTER + LATER)
    # then the email is reported to ops, never sent a second time
    assert result == emails.SweepResult(requeued=0, failed=1)
    assert mail.outbox == []
    assert "died mid-send" in caplog.text


def test_two_deliveries_of_one_email_send_it_once(db):
    # given a waiting email
    email = queue_one()
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=None, sent_at=None)
    mail.outbox.clear()
    # when the task is delivered twice (a redelivery racing the first)
    results = [outbound_email_send(email_id=email.pk), outbound_email_send(email_id=email.pk)]
    # then only the claim's winner sends
    assert results == [True, False]
    assert len(mail.outbox) == 1


def test_a_send_that_raises_releases_its_claim_for_the_retry(db, monkeypatch):
    # given a waiting email and a mail server that refuses
    email = OutboundEmail.objects.create(kind="t", to="a@mail.test", subject="s", body_text="b")
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self: (_ for _ in ()).throw(OSError("connection refused")),
    )
    # when the send fails
    with pytest.raises(OSError, match="connection refused"):
        outbound_email_send(email_id=email.pk)
    # then the row waits again, with the reason, for the task's retry or the sweeper
    email.refresh_from_db()
    assert (email.claimed_at, email.sent_at, email.last_error) == (None, None, "connection refused")
