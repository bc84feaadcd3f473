import os
from typing import Any

from celery import Celery
from celery.signals import celeryd_init

# Connects the request id's signals, in web and worker processes alike.
from hubdelivery.lib import requestid  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubdelivery.settings.local")

app = Celery("hubdelivery")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def consumes_long_queue(queues: str | list[str] | None, long_queue: str) -> bool:
    """A worker given no -Q consumes every queue, the long one included."""
    if not queues:
        return True
    names = queues.split(",") if isinstance(queues, str) else queues
    return long_queue in [name.strip() for name in names]


@celeryd_init.connect
def worker_transport_for_its_queues(conf: Any, options: dict[str, Any], **kwargs: Any) -> None:
    """Redis' visibility timeout is per transport, so per worker process: a worker that
    consumes the long queue (-Q long, or no -Q) takes settings.LONG_TASKS_TRANSPORT_OPTIONS,
    its longer timeout and its own unacknowledged-message keys (settings/base.py, Celery)."""
    from django.conf import settings

    if consumes_long_queue(options.get("queues"), settings.LONG_TASKS_QUEUE):
        conf.broker_transport_options = settings.LONG_TASKS_TRANSPORT_OPTIONS
