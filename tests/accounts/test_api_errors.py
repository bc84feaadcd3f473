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
