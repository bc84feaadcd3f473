"""JSON log lines carry the request id, from the request into the Celery tasks it queues
(hubdelivery/lib/requestid.py, settings LOGGING)."""

import io
import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from hubdelivery.lib.requestid import (
    RequestIdFilter,
    current_request_id,
    request_id_from,
    request_id_from_message,
)
from tests.celery_worker import celery_worker_running, wait_for
from tests.faults.conftest import celery_broker_at, free_port

SIGNUP = {
    "email": "new.florist@mail.test",
    "password1": "tulips-42-may",
    "password2": "tulips-42-may",
}


@pytest.fixture
def email_log_lines() -> Iterator[io.StringIO]:
    """The outbox's log lines, formatted as settings.LOGGING formats them (JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(settings.LOGGING["formatters"]["json"]["format"]))
    logger = logging.getLogger("accounts.emails")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous_level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_requests_log_lines_are_json_with_its_request_id(
    client, transactional_db, email_log_lines
):
    # given a broker nobody answers, so queueing the sign-up's email logs a warning
    with celery_broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        # when a sign-up comes in with the load balancer's request id
        client.post(reverse("account_signup"), SIGNUP, HTTP_X_REQUEST_ID="lb-7f3a")
    # then the warning is one JSON object carrying that id
    [line] = lines(email_log_lines)
    assert line["request_id"] == "lb-7f3a"
    assert line["levelname"] == "WARNING" and "waits in the outbox" in line["message"]
    # and outside the request there is none
    assert current_request_id.get() == ""


@pytest.mark.celery_worker
def test_the_task_a_request_queued_logs_under_the_requests_id(
    client, transactional_db, own_redis, email_log_lines
):
    # given a worker on a Redis of the test's own
    for _worker in celery_worker_running(f"{own_redis.url}/13"):
        # when a sign-up queues its confirmation email
        client.post(reverse("account_signup"), SIGNUP, HTTP_X_REQUEST_ID="lb-9c1e")
        # then the worker's line for sending it carries the sign-up's request id
        assert wait_for(lambda: "Sent email" in email_log_lines.getvalue())
    [sent] = [line for line in lines(email_log_lines) if line["message"].startswith("Sent email")]
    assert sent["request_id"] == "lb-9c1e"


def test_a_task_without_a_request_logs_under_its_own_task_id():
    # given a task beat started (no request id in its message)
    task = SimpleNamespace(request=SimpleNamespace())
    # when it starts
    request_id_from_message(task_id="5d1c-task", task=task)
    # then its lines carry its task id
    assert current_request_id.get() == "5d1c-task"
    current_request_id.set("")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [("lb-7f3a", True), ("a" * 64, True), ("a" * 65, False), ("x y", False), ("<script>", False)],
)
def test_only_a_short_token_is_taken_as_the_request_id(header, accepted):
    request_id = request_id_from({"HTTP_X_REQUEST_ID": header})
    assert (request_id == header) is accepted
    assert len(request_id) <= 64
