"""The Celery path through a real broker: a worker thread consumes from Redis."""

import pytest
from django.core import mail

from accounts.models import OutboundEmail
from hubdelivery.celery import app
from tests.celery_worker import wait_for


@pytest.mark.celery_worker
def test_email_task_round_trips_through_redis_and_a_real_worker(celery_worker_on_redis):
    # given a queued email
    email = OutboundEmail.objects.create(
        kind="test", to="owner@mail.test", subject="Hello", body_text="Body"
    )
    # when the task goes through the broker
    result = app.send_task("accounts.tasks.email_send_task", kwargs={"email_id": email.pk})
    # then the worker sent it exactly once
    assert result.get(timeout=15) is True
    assert wait_for(lambda: len(mail.outbox) == 1)
    email.refresh_from_db()
    assert email.sent_at is not None
    # and a redelivery sends nothing more
    again = app.send_task("accounts.tasks.email_send_task", kwargs={"email_id": email.pk})
    assert again.get(timeout=15) is False
    assert len(mail.outbox) == 1
