"""Issue 18: a DSP's managers are invited and removed from the DSP's page (no /admin/). Ops
admins and the DSP's own managers invite one by email (the link sets their password and lands
on /dsp/) and remove one (not themself when they are the last); every change writes a
DspEvent."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import OutboundEmail, User
from accounts.roles import Role
from hubdelivery.exceptions import DomainError, InvalidInput
from packages.models import DspEvent, DspEventKind, DspManager
from packages.services import network
from tests.conftest import client_for
from tests.factories import DspManagerFactory, UserFactory

NEW = {"email": "Mara@mail.test", "full_name": "Mara Lopez"}


def post(user, name, args=(), data=None):
    return client_for(user).post(reverse(f"packages:{name}", args=args), data or {})


def events(dsp, kind):
    return list(DspEvent.objects.filter(dsp=dsp, kind=kind))


def join_path(email: str) -> str:
    text = OutboundEmail.objects.get(to=email).body_text
    return "/" + re.search(r"https?://[^/\s]+/(dsp/join/\S+/)", text)[1]


@pytest.fixture
def co_manager(dsp) -> User:
    return DspManagerFactory(user__email="co-manager@mail.test", dsp=dsp).user


# ------------------------------------------------------------------------------
# Inviting
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["ops_admin", "dsp_manager"])
def test_invited_manager_sets_a_password_and_lands_on_the_dsp_page(request, persona, dsp):
    inviter = request.getfixturevalue(persona)
    response = post(inviter, "dsp-manager-invite", [dsp.pk], NEW)

    assert response.status_code == 302
    manager = DspManager.objects.select_related("user").get(user__email="mara@mail.test")
    assert manager.dsp == dsp and manager.user.has_role(Role.DSP_MANAGER)
    assert not manager.user.has_usable_password()
    [invited] = events(dsp, DspEventKind.MANAGER_INVITED)
    assert (invited.actor, invited.detail) == (inviter, "mara@mail.test invited.")
    page = client_for(inviter).get(reverse("packages:dsp", args=[dsp.pk])).content.decode()
    assert "mara@mail.test" in page and "Invited, not joined yet" in page

    path = join_path("mara@mail.test")
    client = Client()
    assert client.get(path).status_code == 200
    answer = client.post(path, {"password1": "a-Long-pass-1", "password2": "a-Long-pass-1"})

    assert answer.status_code == 302 and answer["Location"] == reverse("packages:dsp-home")
    home = client.get(reverse("packages:dsp-home"), follow=True)
    assert home.status_code == 200 and dsp.name in home.content.decode()
    manager.user.refresh_from_db()
    assert manager.user.check_password("a-Long-pass-1")
    [joined] = events(dsp, DspEventKind.MANAGER_JOINED)
    assert joined.actor == manager.user
    assert not events(dsp, DspEventKind.DRIVER_JOINED)
    assert client.get(path).status_code == 400  # the link works once


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_dsp_manager", 404),
        ("reviewer", 403),
        ("dsp_driver", 403),
        ("partner_owner", 403),
        ("applicant", 403),
    ],
)
def test_manager_invite_is_refused_to_everyone_else(request, persona, status, dsp):
    response = post(request.getfixturevalue(persona), "dsp-manager-invite", [dsp.pk], NEW)
    assert response.status_code == status
    assert not User.objects.filter(email="mara@mail.test").exists()
    assert not DspEvent.objects.exists()


def test_the_service_refuses_another_dsps_manager(other_dsp_manager, dsp):
    from hubdelivery.exceptions import NotAllowed

    with pytest.raises(NotAllowed, match="manage its drivers, managers, stations"):
        network.dsp_manager_invite(actor=other_dsp_manager, dsp=dsp, **NEW)


REFUSALS = [
    ({"email": "nope"}, "email", "Enter a valid email address."),
    ({"email": " "}, "email", "This field is required."),
    ({"full_name": " "}, "full_name", "This field is required."),
    ({"email": "opsadmin@mail.test"}, "email", "opsadmin@mail.test belongs to an ops account."),
    ({"email": "driver@mail.test"}, "email", "driver@mail.test drives for a DSP."),
    ({"email": "staff@mail.test"}, "email", "staff@mail.test works for a partner business."),
    ({"email": "dsp-manager@mail.test"}, "email", "dsp-manager@mail.test already manages"),
    ({"email": "other-dsp-manager@mail.test"}, "email", "other-dsp-manager@mail.test manages"),
]


@pytest.mark.parametrize(("data", "field", "message"), REFUSALS)
def test_bad_manager_invitation_is_refused_naming_the_field(
    ops_admin, dsp, dsp_manager, other_dsp_manager, partner_staff, data, field, message
):
    with pytest.raises(InvalidInput) as caught:
        network.dsp_manager_invite(actor=ops_admin, dsp=dsp, **{**NEW, **data})
    assert caught.value.field == field and message in str(caught.value)

    response = post(ops_admin, "dsp-manager-invite", [dsp.pk], {**NEW, **data})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'id="managers"' in page
    assert not DspEvent.objects.filter(kind=DspEventKind.MANAGER_INVITED).exists()
    assert DspManager.objects.filter(dsp=dsp).count() == 1


def test_a_deactivated_dsp_invites_no_manager(ops_admin, dsp):
    network.dsp_deactivate(actor=ops_admin, dsp=dsp)
    with pytest.raises(DomainError):
        network.dsp_manager_invite(actor=ops_admin, dsp=dsp, **NEW)


def test_the_invitation_is_in_english_when_the_recipient_has_no_language(ops_admin, dsp):
    """A Spanish-reading inviter does not decide: the new person has no saved language."""
    User.objects.filter(pk=ops_admin.pk).update(language="es")
    ops_admin.refresh_from_db()
    network.dsp_manager_invite(actor=ops_admin, dsp=dsp, **NEW)
    email = OutboundEmail.objects.get(to="mara@mail.test")
    assert email.subject == f"You are invited to manage {dsp.name}"
    assert "added you as a manager of" in email.body_text
    assert "/dsp/join/" in email.body_text and email.kind == "dsp-manager-invitation"


def test_a_spanish_reader_already_on_the_portal_is_invited_in_spanish(ops_admin, dsp):
    UserFactory(email="rosa@mail.test", language="es")
    network.dsp_manager_invite(actor=ops_admin, dsp=dsp, email="rosa@mail.test", full_name="R")
    email = OutboundEmail.objects.get(to="rosa@mail.test")
    assert email.subject == f"Lo invitan a administrar {dsp.name}"
    assert "/dsp/join/" not in email.body_text  # they log in with their password


# ------------------------------------------------------------------------------
# Removing
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["ops_admin", "co_manager"])
def test_a_removed_manager_loses_the_dsp_and_keys_pages_audited(request, persona, dsp, dsp_manager):
    actor = request.getfixturevalue(persona)
    manager = dsp_manager.dsp_manager
    keys = reverse("packages:dsp-keys", args=[dsp.pk])
    assert client_for(dsp_manager).get(keys).status_code == 200

    response = post(actor, "dsp-manager-remove", [manager.pk], {"reason": "left"})

    assert response.status_code == 302
    assert response["Location"] == reverse("packages:dsp", args=[dsp.pk])
    assert not DspManager.objects.filter(pk=manager.pk).exists()
    dsp_manager.refresh_from_db()
    assert not dsp_manager.has_role(Role.DSP_MANAGER)
    [event] = events(dsp, DspEventKind.MANAGER_REMOVED)
    assert (event.actor, event.reason, event.detail) == (
        actor,
        "left",
        "dsp-manager@mail.test removed.",
    )
    client = client_for(dsp_manager)
    assert client.get(reverse("packages:dsp-home")).status_code == 403
    assert client.get(keys).status_code == 403
    assert client.get(reverse("packages:dsp", args=[dsp.pk])).status_code == 403


def test_the_remove_page_asks_first(ops_admin, dsp_manager):
    url = reverse("packages:dsp-manager-remove", args=[dsp_manager.dsp_manager.pk])
    page = client_for(ops_admin).get(url)
    assert page.status_code == 200 and "dsp-manager@mail.test" in page.content.decode()
    assert DspManager.objects.filter(user=dsp_manager).exists()


def test_the_last_manager_cannot_remove_themself(dsp, dsp_manager):
    manager = dsp_manager.dsp_manager
    with pytest.raises(DomainError, match="last manager"):
        network.dsp_manager_remove(actor=dsp_manager, manager=manager)
    response = post(dsp_manager, "dsp-manager-remove", [manager.pk])
    assert response.status_code == 400
    assert "You are the DSP&#x27;s last manager" in response.content.decode()
    assert DspManager.objects.filter(pk=manager.pk).exists()
    assert not events(dsp, DspEventKind.MANAGER_REMOVED)


def test_a_manager_with_a_colleague_may_leave(dsp, dsp_manager, co_manager):
    response = post(dsp_manager, "dsp-manager-remove", [dsp_manager.dsp_manager.pk])
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    assert list(DspManager.objects.filter(dsp=dsp).values_list("user", flat=True)) == [
        co_manager.pk
    ]


def test_ops_may_remove_the_last_manager_and_invite_them_again(ops_admin, dsp, dsp_manager):
    network.dsp_manager_remove(actor=ops_admin, manager=dsp_manager.dsp_manager)
    assert not DspManager.objects.filter(dsp=dsp).exists()
    network.dsp_manager_invite(
        actor=ops_admin, dsp=dsp, email="dsp-manager@mail.test", full_name="Back"
    )
    assert client_for(dsp_manager).get(reverse("packages:dsp-home")).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_dsp_manager", 404),
        ("reviewer", 403),
        ("dsp_driver", 403),
        ("partner_owner", 403),
        ("applicant", 403),
    ],
)
def test_others_cannot_remove_a_manager(request, persona, status, dsp_manager):
    manager = dsp_manager.dsp_manager
    response = post(request.getfixturevalue(persona), "dsp-manager-remove", [manager.pk])
    assert response.status_code == status
    assert DspManager.objects.filter(pk=manager.pk).exists() and not DspEvent.objects.exists()


def test_a_too_long_reason_is_refused_naming_the_field(ops_admin, dsp_manager):
    with pytest.raises(InvalidInput) as caught:
        network.dsp_manager_remove(
            actor=ops_admin, manager=dsp_manager.dsp_manager, reason="x" * 501
        )
    assert caught.value.field == "reason"


# ------------------------------------------------------------------------------
# The DSP page
# ------------------------------------------------------------------------------
def test_the_dsp_page_lists_managers_in_constant_queries(
    ops_admin, dsp, dsp_manager, django_assert_max_num_queries
):
    client = client_for(ops_admin)
    url = reverse("packages:dsp", args=[dsp.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(13) as small:
        client.get(url)
    for i in range(8):
        DspManagerFactory(user__email=f"m{i}@mail.test", dsp=dsp)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert "m7@mail.test" in page
    assert reverse("packages:dsp-manager-remove", args=[dsp_manager.dsp_manager.pk]) in page
    assert reverse("packages:dsp-manager-invite", args=[dsp.pk]) in page
