import sqlite3

import pytest
from django.db import OperationalError
from rest_framework.test import APIRequestFactory

from hubdelivery.api import exception_handler
from hubdelivery.exceptions import InvalidTransition, NotAllowed


def test_domain_errors_become_409_json_with_the_message():
    request = APIRequestFactory().post("/api/v1/anything")
    response = exception_handler(InvalidTransition("Already delivered."), {"request": request})
    assert response.status_code == 409
    assert response.data == {"detail": "Already delivered.", "code": "InvalidTransition"}


def test_other_errors_are_left_to_drf():
    assert exception_handler(ValueError("boom"), {}) is None


def test_not_allowed_becomes_403_json():
    request = APIRequestFactory().post("/api/v1/anything")
    response = exception_handler(NotAllowed("Only ops."), {"request": request})
    assert response.status_code == 403
    assert response.data["detail"] == "Only ops."


def django_error_from(sqlite_error: sqlite3.OperationalError) -> OperationalError:
    """The error as Django raises it: its own class, the driver's error as the cause."""
    try:
        raise OperationalError(*sqlite_error.args) from sqlite_error
    except OperationalError as error:
        return error


def sqlite_error(run) -> sqlite3.OperationalError:
    with pytest.raises(sqlite3.OperationalError) as raised:
        run()
    return raised.value


def test_a_database_locked_past_its_timeout_becomes_503_json_to_retry(tmp_path):
    # given another connection holding the file database's write lock
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, isolation_level=None, timeout=0)
    locked = sqlite_error(lambda: waiter.execute("BEGIN IMMEDIATE"))
    holder.close()
    waiter.close()
    # when a request's transaction gave up waiting for it
    request = APIRequestFactory().post("/api/v1/sync")
    response = exception_handler(django_error_from(locked), {"request": request})
    # then the client is told to try again, not shown a server error
    assert response.status_code == 503
    assert response.data["code"] == "DatabaseBusy"
    assert response.headers["Retry-After"] == "5"


def test_other_database_errors_stay_server_errors():
    missing_table = sqlite_error(
        lambda: sqlite3.connect(":memory:").execute("SELECT * FROM nowhere")
    )
    assert exception_handler(django_error_from(missing_table), {}) is None
