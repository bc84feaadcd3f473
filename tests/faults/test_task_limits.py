"""Time limits and Redis visibility timeouts, per queue (settings/base.py, Celery): a lost
task is redelivered within minutes, and never while it may still be running."""

import pytest
from django.conf import settings

from hubdelivery.celery import app, worker_transport_for_its_queues


class Conf:
    broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS


@pytest.mark.parametrize(
    ("queues", "visibility_minutes"),
    [("celery", 5), (["celery"], 5), ("long", 10), ("celery,long", 10), (None, 10)],
)
def test_each_worker_gets_the_visibility_timeout_of_the_queues_it_consumes(
    queues, visibility_minutes
):
    # given a worker started with -Q <queues> (None: no -Q, every queue)
    conf = Conf()
    # when it initialises
    worker_transport_for_its_queues(conf=conf, options={"queues": queues})
    # then its transport redelivers a lost task after that queue's timeout
    assert conf.broker_transport_options["visibility_timeout"] == visibility_minutes * 60


def test_the_long_queues_worker_keeps_its_unacknowledged_messages_apart():
    # given the long queue's transport options
    options = settings.LONG_TASKS_TRANSPORT_OPTIONS
    # then a default worker's sweep (default keys, 5 minutes) never sees a long task running
    keys = ("unacked_key", "unacked_index_key", "unacked_mutex_key")
    assert all(options[key].endswith("_long") for key in keys)


def test_every_task_finishes_or_is_killed_before_its_queue_would_redeliver_it():
    # given every registered task of ours, with its queue and hard time limit
    default_visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    long_visibility = settings.LONG_TASKS_TRANSPORT_OPTIONS["visibility_timeout"]
    app.loader.import_default_modules()  # what a worker registers at start
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert len(ours) > 10
    for task in ours:
        is_long = task.name in settings.LONG_TASKS
        hard_limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft_limit = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        # then the soft limit comes first, the hard one before the redelivery
        assert soft_limit < hard_limit < (long_visibility if is_long else default_visibility)
    # and the long tasks are routed to their queue
    routes = settings.CELERY_TASK_ROUTES
    assert {name for name, route in routes.items() if route["queue"] == "long"} == set(
        settings.LONG_TASKS
    )
    assert set(settings.LONG_TASKS) <= set(app.tasks)
