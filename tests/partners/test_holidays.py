"""The holiday calendar: seeding, the one selector, ops admins' changes (audited), the pages."""

import datetime

import pytest
from django.urls import reverse

from hubdelivery.exceptions import InvalidInput, NotAllowed
from partners.models import HolidayDay, HolidayEvent, HolidayEventKind, HolidayKind
from partners.selectors.holidays import holidays_for_partners, nationwide_holiday
from partners.services.holidays import (
    federal_holiday_switch_off,
    federal_holidays_seed,
    holiday_add,
    holiday_remove,
)
from tests.conftest import client_for
from tests.factories import MarketFactory, PartnerApplicationFactory, PartnerFactory

DAY = datetime.date(2027, 2, 3)
THANKSGIVING_2027 = datetime.date(2027, 11, 25)


def ad_hoc(**fields) -> HolidayDay:
    values = {"date": DAY, "name": "Storm", "kind": HolidayKind.AD_HOC, "state": "MA"}
    return HolidayDay.objects.create(**{**values, **fields})


# Seeding ---------------------------------------------------------------------------------


def test_seeding_adds_the_programs_federal_days_once(db):
    HolidayDay.objects.filter(date__year=2030).delete()
    created = federal_holidays_seed(year=2030)
    assert created == 6  # the six days the program closes on, not Columbus Day
    assert federal_holidays_seed(year=2030) == 0
    names = set(HolidayDay.objects.filter(date__year=2030).values_list("name", flat=True))
    assert "Thanksgiving Day" in names and "Columbus Day" not in names
    assert HolidayEvent.objects.filter(kind=HolidayEventKind.SEEDED).exists()


def test_the_management_command_seeds_a_year(db):
    from django.core.management import call_command

    call_command("holidays_seed", "--year", "2031")
    assert HolidayDay.objects.filter(date__year=2031, kind=HolidayKind.FEDERAL).count() == 6


def test_the_beat_schedule_runs_the_seeding(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "partners.tasks.federal_holidays_seed_task" in tasks


# The selector ----------------------------------------------------------------------------


def test_a_state_day_is_a_holiday_only_for_that_states_partners(db):
    boston, denver = PartnerFactory(state="MA"), PartnerFactory(state="CO")
    ad_hoc(state="MA")
    found = holidays_for_partners(day=DAY, partners=boston.__class__.objects.all())
    assert found == {boston.pk: "Storm"}
    assert denver.pk not in found
    assert nationwide_holiday(DAY) is None


def test_a_market_day_is_a_holiday_for_the_partners_approved_in_it(db):
    market = MarketFactory()
    inside, outside = PartnerFactory(state="CO"), PartnerFactory(state="CO")
    PartnerApplicationFactory(partner=inside, market=market, status="approved")
    ad_hoc(state="", market=market, name="Outage")
    found = holidays_for_partners(day=DAY, partners=inside.__class__.objects.all())
    assert found == {inside.pk: "Outage"}
    assert outside.pk not in found


def test_a_switched_off_federal_day_is_no_holiday(db):
    federal_holidays_seed(year=2027)
    assert nationwide_holiday(THANKSGIVING_2027) == "Thanksgiving Day"
    HolidayDay.objects.filter(date=THANKSGIVING_2027).update(switched_off_reason="Peak")
    assert nationwide_holiday(THANKSGIVING_2027) is None


def test_the_selector_reads_in_constant_queries(db, django_assert_num_queries):
    ad_hoc()
    for _ in range(30):
        PartnerFactory()
    with django_assert_num_queries(2):
        found = holidays_for_partners(day=DAY, partners=PartnerFactory._meta.model.objects.all())
    assert len(found) == 30


# Ops admins change the calendar ------------------------------------------------------------


def test_an_ops_admin_adds_a_storm_day_and_it_is_audited(ops_admin):
    holiday = holiday_add(
        actor=ops_admin, date=DAY, kind="ad_hoc", name="Storm", reason="Blizzard", state="AK"
    )
    assert holiday.created_by == ops_admin
    event = HolidayEvent.objects.get(kind=HolidayEventKind.ADDED)
    assert event.actor == ops_admin and event.date == DAY and "Blizzard" in event.detail


def test_a_reviewer_cannot_change_the_calendar(reviewer):
    with pytest.raises(NotAllowed):
        holiday_add(actor=reviewer, date=DAY, kind="ad_hoc", name="S", reason="R", state="AK")
    with pytest.raises(NotAllowed):
        holiday_remove(actor=reviewer, holiday=ad_hoc())


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "federal"}, "kind"),
        ({"name": " "}, "name"),
        ({"reason": ""}, "reason"),
        ({"state": "ZZ"}, "state"),
        ({"state": ""}, "state"),
        ({"kind": "state", "state": ""}, "state"),
    ],
)
def test_bad_input_is_refused_naming_the_field(ops_admin, fields, field):
    values = {"date": DAY, "kind": "ad_hoc", "name": "Storm", "reason": "Snow", "state": "AK"}
    with pytest.raises(InvalidInput) as refused:
        holiday_add(actor=ops_admin, **{**values, **fields})
    assert refused.value.field == field


def test_a_state_and_a_market_together_are_refused(ops_admin):
    with pytest.raises(InvalidInput) as refused:
        holiday_add(actor=ops_admin, date=DAY, kind="ad_hoc", name="S", reason="R",
                    state="CO", market=MarketFactory())  # fmt: skip
    assert refused.value.field == "market"


def test_removing_an_ad_hoc_day_is_audited(ops_admin):
    holiday = ad_hoc()
    holiday_remove(actor=ops_admin, holiday=holiday)
    assert not HolidayDay.objects.filter(pk=holiday.pk).exists()
    assert HolidayEvent.objects.get(kind=HolidayEventKind.REMOVED).actor == ops_admin


def test_a_federal_day_is_switched_off_with_a_reason_not_deleted(ops_admin):
    federal_holidays_seed(year=2027)
    thanksgiving = HolidayDay.objects.get(date=THANKSGIVING_2027)
    with pytest.raises(NotAllowed):
        holiday_remove(actor=ops_admin, holiday=thanksgiving)
    with pytest.raises(InvalidInput) as refused:
        federal_holiday_switch_off(actor=ops_admin, holiday=thanksgiving, reason=" ")
    assert refused.value.field == "reason"
    federal_holiday_switch_off(actor=ops_admin, holiday=thanksgiving, reason="Peak season")
    thanksgiving.refresh_from_db()
    assert thanksgiving.switched_off_reason == "Peak season"
    event = HolidayEvent.objects.get(kind=HolidayEventKind.SWITCHED_OFF)
    assert event.actor == ops_admin and "Peak season" in event.detail


def test_only_a_federal_day_is_switched_off(ops_admin):
    with pytest.raises(NotAllowed):
        federal_holiday_switch_off(actor=ops_admin, holiday=ad_hoc(), reason="R")


# Pages -------------------------------------------------------------------------------------


def test_a_reviewer_reads_the_calendar_without_the_change_forms(reviewer):
    ad_hoc(date=datetime.date.today())
    response = client_for(reviewer).get(reverse("partners:ops-holidays"))
    assert response.status_code == 200
    assert b"Storm" in response.content
    assert reverse("partners:ops-holiday-add").encode() not in response.content


def test_people_outside_ops_cannot_open_the_calendar(partner_owner):
    response = client_for(partner_owner).get(reverse("partners:ops-holidays"))
    assert response.status_code == 403


def test_a_reviewer_cannot_post_changes(reviewer):
    holiday = ad_hoc()
    client = client_for(reviewer)
    assert client.post(reverse("partners:ops-holiday-add"), {}).status_code == 403
    remove = reverse("partners:ops-holiday-remove", args=[holiday.pk])
    assert client.post(remove).status_code == 403
    assert HolidayDay.objects.filter(pk=holiday.pk).exists()


def test_the_page_adds_a_day_and_names_the_bad_field(ops_admin):
    client = client_for(ops_admin)
    data = {"add-date": "2027-02-03", "add-name": "Storm", "add-kind": "ad_hoc",
            "add-state": "", "add-reason": "S"}  # fmt: skip
    refused = client.post(reverse("partners:ops-holiday-add"), data)
    assert refused.status_code == 400
    assert refused.context["add_form"].errors["state"]
    data["add-state"] = "AK"
    added = client.post(reverse("partners:ops-holiday-add"), data)
    assert added.status_code == 302
    assert HolidayDay.objects.filter(state="AK", name="Storm").exists()


def test_the_page_switches_off_and_removes(ops_admin):
    federal_holidays_seed(year=2027)
    thanksgiving = HolidayDay.objects.get(date=THANKSGIVING_2027)
    storm = ad_hoc()
    client = client_for(ops_admin)
    switch_off = reverse("partners:ops-holiday-switch-off", args=[thanksgiving.pk])
    client.post(switch_off, {"reason": "Peak season"})
    client.post(reverse("partners:ops-holiday-remove", args=[storm.pk]))
    thanksgiving.refresh_from_db()
    assert thanksgiving.switched_off_reason == "Peak season"
    assert not HolidayDay.objects.filter(pk=storm.pk).exists()


def test_an_unknown_day_is_404(ops_admin):
    response = client_for(ops_admin).post(reverse("partners:ops-holiday-remove", args=[999999]))
    assert response.status_code == 404


def test_the_calendar_filters_by_state_and_kind(reviewer):
    this_year = datetime.date.today().replace(month=2, day=3)
    ad_hoc(date=this_year, state="MA", name="Boston storm")
    ad_hoc(date=this_year, state="AK", name="Alaska storm")
    url = reverse("partners:ops-holidays")
    response = client_for(reviewer).get(url, {"state": "AK", "kind": "ad_hoc"})
    names = [day.name for day in response.context["days"]]
    assert names == ["Alaska storm"]


def test_the_calendar_reads_in_constant_queries(ops_admin, django_assert_max_num_queries):
    client = client_for(ops_admin)
    this_year = datetime.date.today().replace(month=2, day=3)
    for n in range(20):
        holiday_add(actor=ops_admin, date=this_year, kind="ad_hoc", name=f"Storm {n}",
                    reason="Snow", market=MarketFactory())  # fmt: skip
    with django_assert_max_num_queries(12):
        response = client.get(reverse("partners:ops-holidays"))
    assert response.status_code == 200
