"""A request id on every log line, carried into the Celery tasks a request enqueues.

A web request takes the id from its X-Request-ID header (set by the load balancer, so one id
follows a request across proxy, web node and worker) or makes one. Each task message carries
its enqueuer's id in a header; the worker puts it back on while the task runs, so an email
sent by a worker logs under the id of the sign-up that queued it. A task beat started has no
request: its id is its own task id.

Wired by signals (hubdelivery.celery imports this module in web and worker processes alike);
RequestIdFilter (settings LOGGING) stamps each record with `request_id`.
"""

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

HEADER = "request_id"
# An id from outside is logged as given, so only a short token is accepted.
ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")
current_request_id: ContextVar[str] = ContextVar("request_id", default="")


def request_id_from(environ: dict[str, Any]) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if ACCEPTED.fullmatch(given) else uuid.uuid4().hex


@receiver(request_started)
def request_id_set(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    current_request_id.set(request_id_from(environ or {}))


@receiver(request_finished)
def request_id_clear(sender: Any, **kwargs: Any) -> None:
    current_request_id.set("")


@before_task_publish.connect
def request_id_onto_message(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and current_request_id.get():
        headers.setdefault(HEADER, current_request_id.get())


@task_prerun.connect
def request_id_from_message(task_id: str, task: Any, **kwargs: Any) -> None:
    current_request_id.set(getattr(task.request, HEADER, None) or task_id)


@task_postrun.connect
def request_id_after_task(**kwargs: Any) -> None:
    current_request_id.set("")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("" outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
