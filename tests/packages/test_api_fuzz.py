"""Schemathesis against the API's own OpenAPI schema, in process through the WSGI app.

Every operation gets generated requests, valid and invalid, as a DSP system (its Bearer key)
and as a partner's app (a DRF user token, as docs/api.md offers partners). Schemathesis'
default checks hold for each response: no 5xx, a documented status code and content type, a
body matching the schema, invalid input refused with a 4xx, valid input not refused with a
400, and no success without credentials. Each finding it made is a plain test beside the
API's tests. (The partner's browser session and its CSRF check are tested there too:
schemathesis builds part of its requests while collecting, before any fixture, so it needs
credentials whose value is known in advance, and a session key is not.)

Bounded for CI: `HUB_FUZZ_EXAMPLES` (default 15) generated cases per operation and persona
besides schemathesis' fixed coverage cases, derandomized, no example database.
"""

import os
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from hubdelivery.wsgi import application
from packages import services
from packages.models import AttemptReason, DspApiToken
from packages.services.tokens import token_hash
from tests.packages.conftest import new_key

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=int(os.environ.get("HUB_FUZZ_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,
    database=None,
    # The fixtures build the world once per operation; examples reuse it on purpose.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)

CONFIG = schemathesis.Config.from_dict(
    {
        # Every DRF CharField refuses NUL characters (400 naming the field), by design;
        # tests/test_bad_input.py sends them on purpose.
        "generation": {"allow-x00": False},
        "operations": [
            {
                # Bodies name other rows by id (a 400 naming the field when there is none)
                # and carry rules across fields that OpenAPI cannot state (`handoff` for a
                # scan, `reason` for an attempt, a proof for a delivery, `dsp` for ops), so
                # a schema-valid body may rightly be refused. The other checks still apply.
                "include-method": "POST",
                "checks": {"positive_data_acceptance": {"enabled": False}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

# Keys the `world` fixture issues; fixed, because schemathesis applies them while collecting.
DSP_KEY = "fuzz-dsp-system-key-not-a-secret"
PARTNER_KEY = "fuzz-partner-app-key-not-a-secret"
# The ids of what `world` built, by the name of the field that holds them: they differ
# between runs, so they are filled per test and cleared after it.
KNOWN_IDS: dict[str, list[Any]] = {}
# `/api/v1/<resource>/{id}`: which object the `id` is.
PATH_IDS = {"manifests": "manifest", "handoffs": "handoff", "incidents": "incident"}


def with_known_ids(values: Any, names: dict[str, str]) -> st.SearchStrategy:
    """`values` with each id field either as generated or one of the objects that exist, so
    that requests reach past the 404. Only a well-typed value is swapped: a deliberately
    invalid one (a negative case) stays invalid."""
    if not isinstance(values, dict):
        return st.just(values)
    choices = {}
    for key, value in values.items():
        name = names.get(key, key)
        well_typed = isinstance(value, str) if name == "tracking_id" else type(value) is int
        if well_typed and KNOWN_IDS.get(name):
            choices[key] = st.sampled_from([value, *KNOWN_IDS[name]])
    return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    resource = context.operation.path.split("/")[3]
    return with_known_ids(path_parameters, {"id": PATH_IDS.get(resource, "")})


@schema.hook
def flatmap_body(context, body):
    return with_known_ids(body, {})


def authorization(value: str) -> type:
    """A schemathesis auth provider that sends `Authorization: <value>`."""

    class Authorization:
        def get(self, case, context):
            return value

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": data}

    return Authorization


@pytest.fixture
def _connection_kept_open():
    """Django's WSGI handler closes the database connection after each request, which would
    end the test's transaction; Django's own test client turns that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(_connection_kept_open, dsp, partner_owner, manifested, drop_off, received):
    """Both callers' keys; today's manifest of three packages for the partner, the open
    drop-off with one of them received, and an incident from a failed attempt on that one."""
    DspApiToken.objects.create(
        dsp=dsp, label="fuzz", key_prefix=DSP_KEY[:8], key_hash=token_hash(DSP_KEY)
    )
    Token.objects.create(user=partner_owner, key=PARTNER_KEY)
    services.package_attempt(
        actor=partner_owner,
        package=received,
        reason=AttemptReason.RECIPIENT_UNAVAILABLE,
        idempotency_key=new_key(),
    )
    KNOWN_IDS.update(
        manifest=[received.manifest_id],
        tracking_id=[package.tracking_id for package in manifested],
        handoff=[drop_off.pk],
        incident=[received.incidents.get().pk],
        partner=[drop_off.partner_id],
        dsp=[dsp.pk],
    )
    yield
    KNOWN_IDS.clear()


@schema.parametrize()
@schema.auth(authorization(f"Bearer {DSP_KEY}"))
@FUZZ_SETTINGS
def test_api_as_dsp_system(case, world):
    case.call_and_validate()


@schema.parametrize()
@schema.auth(authorization(f"Token {PARTNER_KEY}"))
@FUZZ_SETTINGS
def test_api_as_partner(case, world):
    case.call_and_validate()
