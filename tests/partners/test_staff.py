import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from hubdelivery.exceptions import InvalidTransition, NotAllowed
from partners.models import BackgroundCheck, MemberRole, PartnerEvent, PartnerMember
from partners.services import staff as services
from tests.factories import PartnerMemberFactory, UserFactory


def invite(client: Client, email: str = "new.staff@mail.test"):
    return client.post(
        reverse("partners:partner-staff"), {"full_name": "New Staff", "email": email}
    )


def test_owner_invites_staff_who_sets_a_password_and_lands_home(
    client, partner, django_capture_on_commit_callbacks
):
    # given
    client.force_login(partner.owner)
    # when the owner invites
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client)
    # then a member without a usable password exists and an email carries the join link
    assert response.status_code == 302
    invited = User.objects.get(email="new.staff@mail.test")
    assert not invited.has_usable_password()
    assert invited.has_role(Role.PARTNER_STAFF)
    assert PartnerMember.objects.get(user=invited).partner == partner
    assert PartnerEvent.objects.filter(partner=partner, kind="staff_invited").exists()
    join_path = re.search(r"https?://[^/]+(/partner/join/\S+/)", mail.outbox[0].body).group(1)

    # when the invited person follows the link and sets a password
    newcomer = Client()
    assert newcomer.get(join_path).status_code == 200
    response = newcomer.post(
        join_path, {"password1": "lilies-and-roses-7", "password2": "lilies-and-roses-7"}
    )
    # then they are logged in on the partner home, and the link no longer works
    assert response.url == reverse("partners:partner-home")
    assert newcomer.get(reverse("partners:partner-home")).status_code == 200
    assert Client().get(join_path).status_code == 400


def test_join_form_keeps_the_page_on_mismatched_passwords(client, partner):
    client.force_login(partner.owner)
    invite(client)
    invited = User.objects.get(email="new.staff@mail.test")
    path = services.staff_join_path(user=invited)
    response = Client().post(path, {"password1": "lilies-and-roses-7", "password2": "other"})
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()


def test_invite_refuses_someone_working_for_another_partner(client, partner, other_partner):
    client.force_login(partner.owner)
    response = invite(client, email=other_partner.owner.email)
    assert response.status_code == 200
    assert "already works for a partner" in response.content.decode()
    assert 'value="New Staff"' in response.content.decode()


def test_invite_with_bad_email_shows_the_error_and_keeps_the_name(client, partner):
    client.force_login(partner.owner)
    response = client.post(
        reverse("partners:partner-staff"), {"full_name": "New Staff", "email": "not-an-email"}
    )
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="New Staff"' in response.content.decode()


def test_staff_cannot_manage_staff(client, partner_staff, partner):
    client.force_login(partner_staff)
    owner_member = PartnerMember.objects.get(user=partner.owner)
    assert client.get(reverse("partners:partner-staff")).status_code == 403
    assert invite(client).status_code == 403
    remove_url = reverse("partners:partner-staff-remove", args=[owner_member.pk])
    assert client.post(remove_url).status_code == 403
    assert client.get(reverse("partners:partner-settings")).status_code == 403


def test_removed_staff_lose_the_partner_pages(client, partner, partner_staff):
    # given
    member = PartnerMember.objects.get(user=partner_staff)
    client.force_login(partner.owner)
    # when
    client.post(reverse("partners:partner-staff-remove", args=[member.pk]))
    # then
    member.refresh_from_db()
    assert member.removed_at is not None
    staff_client = Client()
    staff_client.force_login(partner_staff)
    assert staff_client.get(reverse("partners:partner-home")).status_code in (403, 404)
    assert PartnerEvent.objects.filter(partner=partner, kind="staff_removed").count() == 1


def test_owner_cannot_remove_another_partners_member(client, partner, other_partner):
    other_owner_member = PartnerMember.objects.get(user=other_partner.owner)
    client.force_login(partner.owner)
    url = reverse("partners:partner-staff-remove", args=[other_owner_member.pk])
    assert client.post(url).status_code == 404
    other_owner_member.refresh_from_db()
    assert other_owner_member.removed_at is None


def test_owner_cannot_remove_themself(partner):
    owner_member = PartnerMember.objects.get(user=partner.owner)
    with pytest.raises(NotAllowed):
        services.staff_remove(member=owner_member, actor=partner.owner)


@pytest.fixture
def new_member(partner):
    user = UserFactory(roles=[Role.PARTNER_STAFF])
    return PartnerMemberFactory(
        partner=partner,
        user=user,
        role=MemberRole.STAFF,
        background_check=BackgroundCheck.NOT_STARTED,
    )


def test_background_check_gates_delivery_until_clear(client, new_member, reviewer):
    # given: no consent yet, the person cannot deliver and ops cannot enter a result
    assert not new_member.may_deliver
    with pytest.raises(InvalidTransition):
        services.background_result_record(
            member=new_member, actor=reviewer, result=BackgroundCheck.CLEAR
        )
    # when the person consents through the portal
    client.force_login(new_member.user)
    client.post(reverse("partners:partner-background-consent"))
    new_member.refresh_from_db()
    assert new_member.background_check == BackgroundCheck.PENDING
    assert new_member.background_consent_at is not None
    assert not new_member.may_deliver
    # and ops record a clear result through the ops page
    ops = Client()
    ops.force_login(reviewer)
    url = reverse("partners:ops-member-background-result", args=[new_member.pk])
    ops.post(url, {"result": "clear"})
    # then they may deliver, and both steps are audited
    new_member.refresh_from_db()
    assert new_member.may_deliver
    details = PartnerEvent.objects.filter(kind__startswith="background").values_list(
        "detail", flat=True
    )
    assert [d.split(": ")[1] for d in details] == [
        "Consent not yet given → Check in progress.",
        "Check in progress → Clear.",
    ]


def test_not_clear_result_blocks_delivery(new_member, reviewer):
    services.background_consent_record(member=new_member, actor=new_member.user)
    services.background_result_record(
        member=new_member, actor=reviewer, result=BackgroundCheck.NOT_CLEAR
    )
    new_member.refresh_from_db()
    assert not new_member.may_deliver


def test_consent_only_by_the_person_themself(new_member, partner):
    with pytest.raises(NotAllowed):
        services.background_consent_record(member=new_member, actor=partner.owner)


def test_partner_cannot_enter_background_results(client, new_member, partner):
    client.force_login(partner.owner)
    url = reverse("partners:ops-member-background-result", args=[new_member.pk])
    assert client.post(url, {"result": "clear"}).status_code == 403
