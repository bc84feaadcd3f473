"""Issue 18: API keys from the portal (issue, rotate with an overlap window, revoke) for ops
admins (any DSP) and a DSP's managers (their own), audited in DspEvent."""

import datetime
import pathlib
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from hubdelivery.exceptions import InvalidInput, InvalidTransition, NotAllowed
from packages.demo import DEMO_PLANNER_LABEL, DEMO_ROTATED_LABEL
from packages.models import DspApiToken, DspEvent, DspEventKind, TokenState
from packages.services import dsp_token_create, dsp_token_revoke, dsp_token_rotate
from tests.conftest import client_for
from tests.packages.conftest import api_client_with_token

ME = "/api/v1/me"


@pytest.fixture
def token(dsp, dsp_token_key) -> DspApiToken:
    """The DSP's system key (`dsp_token_key`), issued by the system."""
    return DspApiToken.objects.get(dsp=dsp)


def issue(user, dsp, label="dispatch"):
    return client_for(user).post(reverse("packages:dsp-key-issue", args=[dsp.pk]), {"label": label})


def shown_key(response) -> str:
    return re.search(r'id="new-key"[^>]*>([^<]+)</textarea>', response.content.decode())[1]


# ------------------------------------------------------------------------------
# Issue
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["ops_admin", "dsp_manager"])
def test_issue_shows_the_key_once_on_a_no_store_answer_and_audits(request, persona, dsp):
    # given an ops admin or the DSP's manager
    user = request.getfixturevalue(persona)
    # when they issue a key named "route planner"
    response = issue(user, dsp, "route planner")
    # then the key is shown, the answer is not stored, and it works on the API
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = shown_key(response)
    token = DspApiToken.objects.get(dsp=dsp, label="route planner")
    assert token.key_prefix == key[:8] and token.created_by == user
    assert api_client_with_token(key).get(ME).status_code == 200
    # and one audit row says who, what, from and to
    event = DspEvent.objects.get(token=token)
    assert (event.kind, event.actor, event.dsp) == (DspEventKind.KEY_ISSUED, user, dsp)
    assert (event.from_state, event.to_state) == ("", TokenState.ACTIVE)
    # and the list never shows the key again, only its prefix
    page = client_for(user).get(reverse("packages:dsp-keys", args=[dsp.pk])).content.decode()
    assert key not in page and token.key_prefix in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_dsp_manager", 404),
        ("reviewer", 403),
        ("dsp_driver", 403),
        ("partner_owner", 403),
    ],
)
def test_issue_is_refused_to_everyone_else(request, persona, status, dsp):
    response = issue(request.getfixturevalue(persona), dsp)
    assert response.status_code == status
    assert not DspEvent.objects.exists() and not DspApiToken.objects.exists()


@pytest.mark.parametrize(
    ("label", "message"),
    [("   ", "Give the key a name."), ("x" * 101, "Keep the name to 100 characters or fewer.")],
)
def test_issue_refuses_a_bad_name_next_to_the_field(dsp_manager, dsp, label, message):
    response = issue(dsp_manager, dsp, label)
    assert response.status_code == 400
    assert re.search(rf'id="id_label_error" role="alert">{re.escape(message)}<', response.text)
    assert not DspApiToken.objects.exists() and not DspEvent.objects.exists()


def test_the_service_refuses_the_same_bad_name(ops_admin, dsp):
    with pytest.raises(InvalidInput, match=r"Give the key a name\.") as refusal:
        dsp_token_create(actor=ops_admin, dsp=dsp, label="")
    assert refusal.value.field == "label"


def test_the_service_refuses_another_dsps_manager(other_dsp_manager, dsp):
    with pytest.raises(NotAllowed):
        dsp_token_create(actor=other_dsp_manager, dsp=dsp, label="dispatch")


# ------------------------------------------------------------------------------
# Revoke
# ------------------------------------------------------------------------------
def test_revoke_asks_first_then_stops_the_key_and_audits(dsp_manager, token, dsp_token_key):
    client = client_for(dsp_manager)
    url = reverse("packages:dsp-key-revoke", args=[token.pk])
    # given the confirmation page, which changes nothing
    assert client.get(url).status_code == 200
    assert api_client_with_token(dsp_token_key).get(ME).status_code == 200
    # when the manager confirms with a reason
    response = client.post(url, {"reason": "Laptop lost"})
    # then the key is revoked and refused by the API
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.state == TokenState.REVOKED
    assert api_client_with_token(dsp_token_key).get(ME).status_code == 401
    event = DspEvent.objects.get(kind=DspEventKind.KEY_REVOKED)
    assert (event.actor, event.token, event.reason) == (dsp_manager, token, "Laptop lost")
    assert (event.from_state, event.to_state) == (TokenState.ACTIVE, TokenState.REVOKED)


def test_revoking_twice_writes_one_event(ops_admin, token):
    dsp_token_revoke(actor=ops_admin, token=token)
    dsp_token_revoke(actor=ops_admin, token=token)
    assert DspEvent.objects.filter(kind=DspEventKind.KEY_REVOKED).count() == 1


def test_revoke_refuses_a_too_long_reason_next_to_the_field(ops_admin, token):
    url = reverse("packages:dsp-key-revoke", args=[token.pk])
    response = client_for(ops_admin).post(url, {"reason": "x" * 501})
    assert response.status_code == 400
    assert "Keep the reason to 500 characters or fewer." in response.text
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_dsp_manager", 404), ("reviewer", 403), ("dsp_driver", 403), ("partner_owner", 403)],
)
def test_revoke_is_refused_to_everyone_else(request, persona, status, token):
    url = reverse("packages:dsp-key-revoke", args=[token.pk])
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    token.refresh_from_db()
    assert token.is_active and not DspEvent.objects.filter(kind="key_revoked").exists()


# ------------------------------------------------------------------------------
# Rotate
# ------------------------------------------------------------------------------
def test_a_rotated_key_works_inside_its_window_and_is_refused_after(
    dsp_manager, token, dsp_token_key
):
    # given a rotation with a one-hour overlap at noon
    noon = datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)
    url = reverse("packages:dsp-key-rotate", args=[token.pk])
    with time_machine.travel(noon, tick=False):
        assert client_for(dsp_manager).get(url).status_code == 200
        response = client_for(dsp_manager).post(url, {"overlap": "1h"})
    # then the new key is shown once and both keys work inside the window
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new_key = shown_key(response)
    with time_machine.travel(noon + datetime.timedelta(minutes=59), tick=False):
        assert api_client_with_token(dsp_token_key).get(ME).status_code == 200
        assert api_client_with_token(new_key).get(ME).status_code == 200
    # and after the window only the new key works
    with time_machine.travel(noon + datetime.timedelta(minutes=61), tick=False):
        assert api_client_with_token(dsp_token_key).get(ME).status_code == 401
        assert api_client_with_token(new_key).get(ME).status_code == 200
        token.refresh_from_db()
        assert token.state == TokenState.EXPIRED


def test_rotate_audits_who_when_from_and_to(ops_admin, token):
    new_token, _ = dsp_token_rotate(actor=ops_admin, token=token, overlap="7d")
    token.refresh_from_db()
    event = DspEvent.objects.get(kind=DspEventKind.KEY_ROTATED)
    assert (event.actor, event.token, event.dsp) == (ops_admin, token, token.dsp)
    assert (event.from_state, event.to_state) == (TokenState.ACTIVE, TokenState.EXPIRING)
    assert token.replaced_by == new_token and new_token.label == token.label
    assert token.expires_at - event.created == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=5)
    )
    assert DspEvent.objects.get(token=new_token).kind == DspEventKind.KEY_ISSUED


def test_rotate_refuses_an_unknown_overlap_next_to_the_field(dsp_manager, token):
    url = reverse("packages:dsp-key-rotate", args=[token.pk])
    response = client_for(dsp_manager).post(url, {"overlap": "3d"})
    assert response.status_code == 400
    assert "Choose how long the old key keeps working." in response.text
    assert DspApiToken.objects.count() == 1 and not DspEvent.objects.filter(kind="key_rotated")


def test_the_service_refuses_the_same_unknown_overlap(ops_admin, token):
    with pytest.raises(InvalidInput) as refusal:
        dsp_token_rotate(actor=ops_admin, token=token, overlap="forever")
    assert refusal.value.field == "overlap"


def test_a_rotated_or_revoked_key_does_not_rotate_again(ops_admin, token):
    dsp_token_rotate(actor=ops_admin, token=token, overlap="1h")
    with pytest.raises(InvalidTransition, match="this one is expiring"):
        dsp_token_rotate(actor=ops_admin, token=token, overlap="1h")
    # and the page says so instead of issuing a third key
    url = reverse("packages:dsp-key-rotate", args=[token.pk])
    response = client_for(ops_admin).post(url, {"overlap": "1h"}, follow=True)
    assert "Only an active key can be rotated" in response.text
    assert DspApiToken.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_dsp_manager", 404), ("reviewer", 403), ("dsp_driver", 403), ("partner_owner", 403)],
)
def test_rotate_is_refused_to_everyone_else(request, persona, status, token):
    url = reverse("packages:dsp-key-rotate", args=[token.pk])
    response = client_for(request.getfixturevalue(persona)).post(url, {"overlap": "1h"})
    assert response.status_code == status
    assert DspApiToken.objects.count() == 1


# ------------------------------------------------------------------------------
# The DSP pages: scope, home, list
# ------------------------------------------------------------------------------
def test_a_manager_lands_on_their_dsp_page_with_its_drivers_only(
    dsp_manager, dsp, dsp_driver, other_dsp_driver
):
    response = client_for(dsp_manager).get(reverse("accounts:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("packages:dsp", args=[dsp.pk])
    assert dsp_driver.email in response.text and other_dsp_driver.email not in response.text


def test_a_manager_never_opens_another_dsps_pages(dsp_manager, other_dsp_driver):
    client = client_for(dsp_manager)
    other = other_dsp_driver.driver.dsp
    for name in ("packages:dsp", "packages:dsp-keys"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404


def test_another_dsps_token_id_answers_404_to_a_manager(dsp_manager, other_dsp_token_key):
    other_token = DspApiToken.objects.get(dsp__drivers__user__email="other-driver@mail.test")
    client = client_for(dsp_manager)
    for name in ("packages:dsp-key-revoke", "packages:dsp-key-rotate"):
        assert client.get(reverse(name, args=[other_token.pk])).status_code == 404


def test_ops_admins_reach_every_dsp_from_the_list(ops_admin, dsp, other_dsp_driver):
    page = client_for(ops_admin).get(reverse("packages:ops-dsps")).text
    assert reverse("packages:dsp", args=[dsp.pk]) in page
    assert reverse("packages:dsp", args=[other_dsp_driver.driver.dsp.pk]) in page


def test_reviewers_do_not_open_the_dsp_list(reviewer):
    assert client_for(reviewer).get(reverse("packages:ops-dsps")).status_code == 403


def test_key_list_states_and_query_count(dsp_manager, dsp, token, django_assert_num_queries):
    # given an active, a rotated (expiring) and a revoked key
    dsp_token_rotate(actor=dsp_manager, token=token, overlap="24h")
    revoked, _ = dsp_token_create(actor=dsp_manager, dsp=dsp, label="old scanner")
    dsp_token_revoke(actor=dsp_manager, token=revoked)
    client = client_for(dsp_manager)
    url = reverse("packages:dsp-keys", args=[dsp.pk])
    # session, user, groups, the DSP, the keys with their creators and replacements
    with django_assert_num_queries(5):
        page = client.get(url).text
    for state in ("Active", "Expiring", "Revoked"):
        assert state in page
    assert "Works until" in page and "Never" in page


def test_only_the_dsp_events_module_writes_dsp_events():
    root = pathlib.Path(__file__).resolve().parents[2]
    writers = [
        path.relative_to(root).as_posix()
        for folder in ("accounts", "partners", "packages", "routing", "dashboard")
        for path in (root / folder).rglob("*.py")
        if re.search(r"DspEvent\.objects\.(bulk_)?create|[=(]\s*DspEvent\(", path.read_text())
    ]
    assert writers == ["packages/dsp_events.py"]


def test_seed_demo_gives_the_dsp_manager_an_active_and_a_rotated_key(db, settings, capsys):
    # given the demo
    settings.DEBUG = True
    call_command("seed_demo")
    # then its DSP manager is printed with the others and lands on the DSP's keys
    assert "dspmanager@demo.hub" in capsys.readouterr().out
    manager = User.objects.get(email="dspmanager@demo.hub")
    dsp = manager.dsp_manager.dsp
    states = {token.label: token.state for token in DspApiToken.objects.filter(dsp=dsp)}
    assert states[DEMO_PLANNER_LABEL] == TokenState.ACTIVE
    rotated = DspApiToken.objects.get(label=DEMO_ROTATED_LABEL, replaced_by__isnull=False)
    assert rotated.state == TokenState.EXPIRING
    page = client_for(manager).get(reverse("packages:dsp-keys", args=[dsp.pk])).text
    assert "Works until" in page and DEMO_PLANNER_LABEL in page


# ------------------------------------------------------------------------------
# Spanish
# ------------------------------------------------------------------------------
def test_the_key_pages_render_in_spanish(dsp_manager, dsp, token, spanish):
    client = client_for(dsp_manager)
    keys_page = client.get(reverse("packages:dsp-keys", args=[dsp.pk]), **spanish).text
    assert "Emitir clave" in keys_page and "Issue key" not in keys_page
    assert "Activa" in keys_page
    rotate_page = client.get(reverse("packages:dsp-key-rotate", args=[token.pk]), **spanish).text
    refused = client.post(
        reverse("packages:dsp-key-issue", args=[dsp.pk]), {"label": ""}, **spanish
    )
    assert "Rotar clave" in rotate_page and "Rotate key" not in rotate_page
    assert "Ponga un nombre a la clave." in refused.text
    # and English stays the default
    assert "Issue key" in client.get(reverse("packages:dsp-keys", args=[dsp.pk])).text
