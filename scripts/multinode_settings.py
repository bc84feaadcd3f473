"""Settings for scripts/multinode_proof.py: the load benchmark's (production on plain http,
benchmarks/load_settings.py) with short visibility timeouts.

A worker killed mid-task leaves its task unacknowledged; Redis hands it to another worker
once the visibility timeout has passed. The proof waits for that, so it shortens the wait
to 30 seconds on both queues; its tasks all take a few seconds at most."""

import os

from benchmarks.load_settings import *  # noqa: F403
from benchmarks.load_settings import (
    CELERY_BROKER_TRANSPORT_OPTIONS,
    LONG_TASKS_TRANSPORT_OPTIONS,
)

CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 30}
LONG_TASKS_TRANSPORT_OPTIONS = {**LONG_TASKS_TRANSPORT_OPTIONS, "visibility_timeout": 30}

# The proof counts the emails sent in the file backend's output.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
