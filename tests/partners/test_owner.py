"""One definition of a partner's owner: `Partner.owner` (Partner.is_owned_by). A member row's
role is only its label; pages (partners and packages) and services agree even where the label
disagrees, and migration 0008 puts old labels in step."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from hubdelivery.exceptions import NotAllowed
from hubdelivery.lib.dates import local_date
from partners.models import MemberRole, PartnerMember
from partners.services import closures, partners, staff
from tests.conftest import client_for

SETTINGS = {
    "daily_capacity": 35,
    "storage_capacity": 40,
    "delivery_modes": ["walk"],
    "opening_days": ["mon", "tue"],
    "opens_at": None,
    "closes_at": None,
}


@pytest.fixture
def mislabelled(partner, partner_staff):
    """The rows as they could be before migration 0008: the owner's row says staff, the
    staff member's row says owner."""
    PartnerMember.objects.filter(partner=partner).update(role=MemberRole.STAFF)
    PartnerMember.objects.filter(user=partner_staff).update(role=MemberRole.OWNER)
    return partner


def owner_pages_status(user) -> dict[str, int]:
    client = client_for(user)
    return {
        name: client.get(reverse(f"partners:{name}")).status_code
        for name in ("partner-settings", "partner-staff")
    }


def test_the_partner_owner_is_the_owner_on_every_page_whatever_their_row_says(
    mislabelled, partner_owner
):
    # given the owner's member row says staff
    # when the owner opens the owner-only pages, the home page and the today page
    client = client_for(partner_owner)
    home = client.get(reverse("partners:partner-home"))
    today = client.get(reverse("packages:today"))
    # then every page treats them as the owner
    assert owner_pages_status(partner_owner) == {"partner-settings": 200, "partner-staff": 200}
    assert home.context["is_owner"] is True
    assert today.context["is_owner"] is True


def test_the_partner_owner_may_use_every_owner_service_whatever_their_row_says(
    mislabelled, partner_owner
):
    # given the owner's member row says staff
    tomorrow = local_date(tz_name=mislabelled.time_zone) + datetime.timedelta(days=1)
    # when the owner changes settings and declares a closure
    partners.partner_settings_update(partner=mislabelled, actor=partner_owner, **SETTINGS)
    closure = closures.closure_declare(
        partner=mislabelled, actor=partner_owner, start_date=tomorrow, end_date=tomorrow, reason="x"
    )
    # then both services let them
    mislabelled.refresh_from_db()
    assert (mislabelled.daily_capacity, closure.partner_id) == (35, mislabelled.pk)


def test_a_member_whose_row_says_owner_is_refused_on_pages_and_in_services(
    mislabelled, partner_staff
):
    # given a staff member whose row says owner
    # when they open the owner-only pages and call the owner-only services
    statuses = owner_pages_status(partner_staff)
    home = client_for(partner_staff).get(reverse("partners:partner-home"))
    # then pages answer 403 and services refuse with the same NotAllowed
    assert statuses == {"partner-settings": 403, "partner-staff": 403}
    assert home.context["is_owner"] is False
    with pytest.raises(NotAllowed):
        partners.partner_settings_update(partner=mislabelled, actor=partner_staff, **SETTINGS)
    with pytest.raises(NotAllowed):
        staff.staff_invite(
            partner=mislabelled,
            actor=partner_staff,
            email="x@mail.test",
            full_name="X",
        )


def test_the_owner_cannot_be_removed_but_a_member_labelled_owner_can(
    mislabelled, partner_owner, partner_staff
):
    # given the labels are swapped
    owner_row = PartnerMember.objects.get(user=partner_owner)
    staff_row = PartnerMember.objects.get(user=partner_staff)
    # when the owner removes the member labelled owner, then tries to remove themself
    staff.staff_remove(member=staff_row, actor=partner_owner)
    with pytest.raises(NotAllowed, match="owner cannot be removed"):
        staff.staff_remove(member=owner_row, actor=partner_owner)
    # then Partner.owner decided both
    staff_row.refresh_from_db()
    assert staff_row.removed_at is not None


def test_the_staff_page_offers_remove_for_everyone_but_the_partner_owner(
    mislabelled, partner_owner, partner_staff
):
    # given the labels are swapped
    # when the owner opens the staff page
    page = client_for(partner_owner).get(reverse("partners:partner-staff")).content.decode()
    # then the remove button is offered for the staff member only
    assert f"Remove {partner_staff}" in page
    assert f"Remove {partner_owner}" not in page


def test_migration_0008_puts_member_labels_in_step_with_partner_owner(
    mislabelled, partner_owner, partner_staff
):
    # given swapped labels
    migration = importlib.import_module("partners.migrations.0008_event_kinds_and_one_owner")
    # when the migration's data step runs
    migration.member_roles_follow_partner_owner(apps, None)
    # then the owner's row says owner and the staff member's says staff
    roles = dict(PartnerMember.objects.values_list("user__email", "role"))
    assert roles == {partner_owner.email: MemberRole.OWNER, partner_staff.email: MemberRole.STAFF}


def test_a_partner_has_at_most_one_current_row_labelled_owner(partner, partner_staff):
    # given the partner's owner row
    staff_row = PartnerMember.objects.get(user=partner_staff)
    # when a second current row is labelled owner
    # then the database refuses
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerMember.objects.filter(pk=staff_row.pk).update(role=MemberRole.OWNER)


def test_owning_one_partner_makes_nobody_the_owner_of_another(partner, other_partner):
    # given two partners and their owners
    other_row = PartnerMember.objects.get(user=other_partner.owner)
    # then each owns their own partner only
    assert other_row.is_owner
    assert not partner.is_owned_by(other_partner.owner.pk)
    assert not partner.is_owned_by(None)
