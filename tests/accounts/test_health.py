"""/healthz: 503 only when this node cannot serve (database); anything else down is 200
"degraded", since every node shares it (hubdelivery/health.py)."""

from unittest import mock

from django.db import OperationalError

from tests.faults.conftest import celery_broker_at

EAGER = {"workers": "eager", "beat": "eager"}


def test_healthz_is_200_when_everything_is_up(client, db):
    # given the embedded default: no broker, tasks run eagerly inside the request
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", **EAGER},
        "queues": None,
        "beat_last_run": None,
    }


def test_healthz_is_503_when_database_is_unreachable(client, db):
    with mock.patch(
        "hubdelivery.health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["database"] == "unreachable"


def test_healthz_is_degraded_when_broker_is_unreachable(client, db):
    # given a broker nobody answers
    with celery_broker_at("redis://127.0.0.1:1/0"):
        # when
        response = client.get("/healthz")
    # then the node still serves (emails wait in the outbox) and says what is down
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == "unreachable"
    assert response.json()["checks"]["workers"] == "unknown"
    assert response.json()["queues"] is None
