"""Helpers for the tests of POST /api/v1/sync (issue 19)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.packages.conftest import api_client_for, new_key

SYNC_URL = "api-sync"


def sync_event(event_type: str, device_time: datetime.datetime | None = None, **fields) -> dict:
    """One outbox event as the phone sends it: a fresh client id, the device's time."""
    return {
        "client_id": new_key(),
        "type": event_type,
        "device_time": (device_time or timezone.now()).isoformat(),
        **fields,
    }


def sync_post(client, *events: dict):
    return client.post(reverse(SYNC_URL), {"events": list(events)}, format="json")


def sync_as(user, *events: dict):
    return sync_post(api_client_for(user), *events)


def results_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]
