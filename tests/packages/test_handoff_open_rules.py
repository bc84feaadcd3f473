"""Where a handoff may open, and for which date (issue 14, findings 2 and 10).

A drop-off opens only where the DSP has packages for the partner on the partner's local
service date; a return only where the DSP's packages are queued for return there. The start
page's lists and the service (so the API) apply the one rule in
selectors.handoff_partner_choices / handoff_dsp_choices; the date is
selectors.handoff_service_date. No refusal names another DSP.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from hubdelivery.exceptions import DomainError
from packages import services
from packages.models import Handoff, HandoffDirection, HandoffStatus, PackageStatus
from packages.selectors import handoff_partner_choices, handoff_service_date
from packages.services.handoffs import HANDOFF_BUSY, NOTHING_TO_HAND_OVER
from tests.conftest import client_for
from tests.factories import ManifestFactory, PackageFactory, PartnerFactory, StationFactory
from tests.packages.conftest import api_client_for, new_key

START_URL = reverse("packages:handoff-start")
API_URL = reverse("api-handoffs")


def page_open(user, direction, **choice):
    """Post the start page's form; the refusal (if any) is the form's error."""
    response = client_for(user).post(
        START_URL, {"direction": direction, "idempotency_key": new_key(), **choice}
    )
    return response


def page_refusal(response) -> str:
    assert response.status_code == 200, "a refused open re-renders the start page"
    return " ".join(response.context["form"].non_field_errors())


def api_open(user, direction, **choice):
    body = {"direction": direction, "idempotency_key": new_key(), **choice}
    return api_client_for(user).post(API_URL, body, format="json")


def listed_partners(user) -> list[int]:
    page = client_for(user).get(START_URL)
    return [partner.pk for partner in page.context["partners"]]


@pytest.fixture
def other_dsp(other_dsp_driver):
    return other_dsp_driver.driver.dsp


@pytest.fixture
def queued_for_return(partner, dsp, today):
    """Two packages of `dsp` from yesterday, queued for return at `partner`."""
    manifest = ManifestFactory(
        dsp=dsp, partner=partner, service_date=today - datetime.timedelta(days=1)
    )
    return PackageFactory.create_batch(2, manifest=manifest, status=PackageStatus.RETURN_PENDING)


def drop_off_message(partner) -> str:
    day = handoff_service_date(partner=partner)
    return NOTHING_TO_HAND_OVER[HandoffDirection.DROP_OFF].format(day=day.isoformat())


# ------------------------------------------------------------------------------
# Drop-off: only where the driver's DSP has packages for the partner's local service date
# ------------------------------------------------------------------------------
def test_second_dsps_driver_does_not_see_a_partner_where_its_dsp_has_no_packages(
    other_dsp_driver, partner, manifested
):
    # given: only the first DSP has packages at the partner today
    # when: the second DSP's driver loads the start page
    # then: the partner is not offered
    assert partner.pk not in listed_partners(other_dsp_driver)


def test_second_dsps_driver_is_refused_a_drop_off_on_the_page(
    other_dsp_driver, partner, manifested
):
    # given: only the first DSP has packages at the partner today
    # when: the second DSP's driver posts the partner anyway
    response = page_open(other_dsp_driver, "drop_off", partner=partner.pk)
    # then: the service's reason, and no handoff
    assert page_refusal(response) == drop_off_message(partner)
    assert not Handoff.objects.exists()


def test_second_dsps_driver_is_refused_a_drop_off_over_the_api(
    other_dsp_driver, partner, manifested
):
    # when: the second DSP's driver asks the API for a drop-off at the partner
    response = api_open(other_dsp_driver, "drop_off", partner=partner.pk)
    # then: 409 with the same reason, and no handoff
    assert response.status_code == 409
    assert response.json()["detail"] == drop_off_message(partner)
    assert not Handoff.objects.exists()


def test_second_dsps_driver_opens_where_its_dsp_has_packages_on_the_page(
    other_dsp_driver, other_dsp, partner, manifested
):
    # given: the second DSP also has a package for the partner today
    PackageFactory(manifest=ManifestFactory(dsp=other_dsp, partner=partner))
    assert partner.pk in listed_partners(other_dsp_driver)
    # when
    response = page_open(other_dsp_driver, "drop_off", partner=partner.pk)
    # then: its own drop-off opens, expecting its own package only
    handoff = Handoff.objects.get()
    assert response.url == reverse("packages:handoff", args=[handoff.pk])
    assert (handoff.dsp, handoff.expected) == (other_dsp, 1)


def test_second_dsps_driver_opens_where_its_dsp_has_packages_over_the_api(
    other_dsp_driver, other_dsp, partner, manifested
):
    # given
    PackageFactory(manifest=ManifestFactory(dsp=other_dsp, partner=partner))
    # when
    response = api_open(other_dsp_driver, "drop_off", partner=partner.pk)
    # then
    assert response.status_code == 201, response.json()
    assert Handoff.objects.get(pk=response.json()["handoff"]).dsp == other_dsp


def test_packages_of_another_day_open_no_drop_off(dsp_driver, partner, dsp, today):
    # given: the DSP's packages for the partner are for tomorrow only
    tomorrow = today + datetime.timedelta(days=1)
    PackageFactory(manifest=ManifestFactory(dsp=dsp, partner=partner, service_date=tomorrow))
    # then: not offered, refused on the page and over the API
    assert partner.pk not in listed_partners(dsp_driver)
    refused = page_refusal(page_open(dsp_driver, "drop_off", partner=partner.pk))
    assert refused == drop_off_message(partner)
    assert api_open(dsp_driver, "drop_off", partner=partner.pk).status_code == 409


# ------------------------------------------------------------------------------
# Return: only where the DSP's packages are queued for return
# ------------------------------------------------------------------------------
RETURN_REFUSAL = NOTHING_TO_HAND_OVER[HandoffDirection.RETURN]


def test_second_dsps_driver_is_refused_a_return_where_only_another_dsp_has_returns(
    other_dsp_driver, partner, queued_for_return
):
    # given: the first DSP's packages are queued for return at the partner
    # then: the second DSP's driver is not offered it, refused on the page and the API
    assert partner.pk not in listed_partners(other_dsp_driver)
    assert page_refusal(page_open(other_dsp_driver, "return", partner=partner.pk)) == (
        RETURN_REFUSAL
    )
    response = api_open(other_dsp_driver, "return", partner=partner.pk)
    assert (response.status_code, response.json()["detail"]) == (409, RETURN_REFUSAL)
    assert not Handoff.objects.exists()


def test_driver_opens_a_return_where_its_dsps_packages_are_queued(
    dsp_driver, partner, queued_for_return
):
    # given: the DSP's packages are queued for return at the partner
    assert partner.pk in listed_partners(dsp_driver)
    # when: the driver opens the return over the API
    response = api_open(dsp_driver, "return", partner=partner.pk)
    # then
    assert response.status_code == 201, response.json()
    assert Handoff.objects.get().expected == 2


def test_a_return_is_refused_where_nothing_is_queued(dsp_driver, partner, manifested):
    # given: only today's packages, none queued for return
    # then: a drop-off is offered, a return refused on both paths
    assert partner.pk in listed_partners(dsp_driver)
    assert page_refusal(page_open(dsp_driver, "return", partner=partner.pk)) == RETURN_REFUSAL
    assert api_open(dsp_driver, "return", partner=partner.pk).json()["detail"] == RETURN_REFUSAL


def test_undelivered_packages_of_an_earlier_day_allow_a_return(dsp_driver, partner, dsp, today):
    # given: a package received yesterday and never delivered nor queued
    yesterday = today - datetime.timedelta(days=1)
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=yesterday)
    PackageFactory(manifest=manifest, status=PackageStatus.RECEIVED)
    # then: the return it belongs to may open
    assert handoff_partner_choices(dsp_id=dsp.pk, direction="return").get() == partner
    assert not handoff_partner_choices(dsp_id=dsp.pk, direction="drop_off").exists()


# ------------------------------------------------------------------------------
# The partner's side: the DSPs it may choose follow the same rule
# ------------------------------------------------------------------------------
def test_partner_is_offered_only_dsps_with_packages_and_refused_others(
    partner_owner, partner, dsp, other_dsp, manifested
):
    # given: `dsp` has packages today, `other_dsp` none
    page = client_for(partner_owner).get(START_URL)
    assert [d.pk for d in page.context["dsps"]] == [dsp.pk]
    # when the partner opens a drop-off with the other DSP: refused on both paths alike
    refused = page_refusal(page_open(partner_owner, "drop_off", dsp=other_dsp.pk))
    response = api_open(partner_owner, "drop_off", dsp=other_dsp.pk)
    # then
    assert refused == response.json()["detail"] == drop_off_message(partner)
    assert not Handoff.objects.exists()


# ------------------------------------------------------------------------------
# No refusal names another DSP
# ------------------------------------------------------------------------------
def test_busy_partner_refusal_does_not_name_the_dsp_handing_over(
    dsp_driver, other_dsp_driver, other_dsp, partner, dsp, drop_off
):
    # given: the first DSP's drop-off is open; the second DSP has packages there too
    PackageFactory(manifest=ManifestFactory(dsp=other_dsp, partner=partner))
    # when: the second DSP's driver tries to open its own drop-off, page and API
    refused = page_refusal(page_open(other_dsp_driver, "drop_off", partner=partner.pk))
    response = api_open(other_dsp_driver, "drop_off", partner=partner.pk)
    # then: the same neutral refusal, without the other DSP's name
    assert refused == response.json()["detail"] == HANDOFF_BUSY
    assert dsp.name not in refused
    assert Handoff.objects.get().dsp == dsp


def test_busy_partner_refusal_to_a_partner_member_does_not_name_the_other_dsp(
    partner_owner, other_dsp, partner, dsp, drop_off
):
    # given: the first DSP's drop-off is open; the second DSP has packages there too
    PackageFactory(manifest=ManifestFactory(dsp=other_dsp, partner=partner))
    # when: the partner asks for a drop-off with the second DSP
    response = api_open(partner_owner, "drop_off", dsp=other_dsp.pk)
    # then
    assert response.json()["detail"] == HANDOFF_BUSY
    assert dsp.name not in response.json()["detail"]


def test_refusals_for_a_partner_without_packages_name_no_dsp_nor_partner(
    other_dsp_driver, other_dsp, partner, dsp, manifested
):
    response = api_open(other_dsp_driver, "drop_off", partner=partner.pk)
    detail = response.json()["detail"]
    assert dsp.name not in detail and other_dsp.name not in detail
    assert partner.trade_name not in detail


# ------------------------------------------------------------------------------
# The handoff's date: the partner's local service date, computed by the core only
# ------------------------------------------------------------------------------
@pytest.fixture
def anchorage(dsp_driver):
    """A partner in Anchorage, served by the driver's station there."""
    driver = dsp_driver.driver
    driver.home_station = StationFactory(dsp=driver.dsp, latitude=61.22, longitude=-149.9)
    driver.save()
    return PartnerFactory(
        trade_name="Spenard Supply", city="Anchorage", state="AK", zip_code="99503",
        latitude=61.19, longitude=-149.89, time_zone="America/Anchorage",
    )  # fmt: skip


EVENING_IN_ANCHORAGE = datetime.datetime(2026, 11, 29, 5, 0, tzinfo=datetime.UTC)  # Nov 28 20:00


@time_machine.travel(EVENING_IN_ANCHORAGE, tick=False)
@pytest.mark.parametrize("path", ["page", "api"])
def test_the_handoff_is_for_the_partners_local_date_not_utcs(path, dsp_driver, dsp, anchorage):
    # given: in Anchorage it is still Nov 28; the DSP has packages for that day there
    local_day = datetime.date(2026, 11, 28)
    PackageFactory(manifest=ManifestFactory(dsp=dsp, partner=anchorage, service_date=local_day))
    assert anchorage.pk in listed_partners(dsp_driver)
    # when: the driver opens the drop-off
    if path == "page":
        page_open(dsp_driver, "drop_off", partner=anchorage.pk)
    else:
        assert api_open(dsp_driver, "drop_off", partner=anchorage.pk).status_code == 201
    # then: the handoff is for Anchorage's Nov 28 and expects that day's package
    handoff = Handoff.objects.get()
    assert handoff.service_date == local_day == handoff_service_date(partner=anchorage)
    assert (handoff.status, handoff.expected) == (HandoffStatus.OPEN, 1)


@time_machine.travel(EVENING_IN_ANCHORAGE, tick=False)
def test_packages_for_the_utc_date_open_nothing_before_it_is_that_day_locally(
    dsp_driver, dsp, anchorage
):
    # given: packages for Nov 29, while Anchorage is still on Nov 28
    day = datetime.date(2026, 11, 29)
    PackageFactory(manifest=ManifestFactory(dsp=dsp, partner=anchorage, service_date=day))
    # then
    assert anchorage.pk not in listed_partners(dsp_driver)
    assert api_open(dsp_driver, "drop_off", partner=anchorage.pk).status_code == 409


def test_api_refuses_a_service_date_other_than_the_partners_local_one(
    dsp_driver, partner, manifested, today
):
    # when: a client names tomorrow
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    refused = api_open(dsp_driver, "drop_off", partner=partner.pk, service_date=tomorrow)
    # then: refused with the date it is for; naming the right date opens it
    assert refused.status_code == 409 and today.isoformat() in refused.json()["detail"]
    opened = api_open(dsp_driver, "drop_off", partner=partner.pk, service_date=today.isoformat())
    assert opened.status_code == 201
    assert Handoff.objects.get().service_date == today


def test_service_refuses_a_date_other_than_the_partners_local_one(
    dsp_driver, partner, dsp, manifested, today
):
    with pytest.raises(DomainError, match="local service date"):
        services.handoff_open(
            actor=dsp_driver,
            partner=partner,
            dsp=dsp,
            direction=HandoffDirection.DROP_OFF,
            service_date=today - datetime.timedelta(days=1),
            idempotency_key=new_key(),
        )
    assert not Handoff.objects.exists()


# ------------------------------------------------------------------------------
# The list in constant queries
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("partners", [2, 12])
def test_partner_choices_take_two_queries_whatever_the_number_of_partners(
    partners, dsp, django_assert_num_queries
):
    for n in range(partners):
        zone = ("America/New_York", "America/Los_Angeles", "America/Anchorage")[n % 3]
        PackageFactory(manifest=ManifestFactory(dsp=dsp, partner=PartnerFactory(time_zone=zone)))
    # the partners' time zones, then the partners with packages (one query)
    with django_assert_num_queries(2):
        choices = list(handoff_partner_choices(dsp_id=dsp.pk))
    assert len(choices) == partners
