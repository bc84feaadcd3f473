"""/healthz: 503 only when this node cannot serve (database); cache or broker down is 200
"degraded", since every node shares them (hubdelivery/health.py)."""

from unittest import mock

from django.db import OperationalError


def test_healthz_is_200_when_database_cache_and_broker_are_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_healthz_is_503_when_database_is_unreachable(client, db):
    with mock.patch(
        "hubdelivery.health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["database"] == "unreachable"


def test_healthz_is_degraded_when_broker_is_unreachable(client, db, settings):
    # given a broker nobody answers
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    # when
    response = client.get("/healthz")
    # then the node still serves (emails wait in the outbox) and says what is down
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "broker": "unreachable"},
    }
