import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import OutboundEmail
from dashboard.models import NotificationKind, NotificationPreference, NotificationSent
from dashboard.notifications import (
    ops_daily_digest_notify,
    tomorrow_volume_notify_due,
    weekly_statements_notify,
)
from dashboard.services import notification_preferences_update, weekly_statements_compute
from dashboard.tasks import ops_daily_digest_task
from packages.models import PackageStatus
from tests.conftest import client_for
from tests.dashboard.conftest import DAY
from tests.factories import ManifestFactory, PackageFactory

UTC = datetime.UTC


def switch_off(user, **flags) -> None:
    values = {"tomorrow_volume": True, "ops_daily_digest": True, "weekly_statement": True}
    notification_preferences_update(user=user, **{**values, **flags})


@pytest.fixture
def tomorrow_packages(partner, other_partner):
    """Back Bay Blooms (New York) has 3 packages on Nov 21; Hoboken Coffee (Los Angeles) 1."""
    other_partner.time_zone = "America/Los_Angeles"
    other_partner.save()
    day = datetime.date(2026, 11, 21)
    PackageFactory.create_batch(3, manifest=ManifestFactory(partner=partner, service_date=day))
    PackageFactory(manifest=ManifestFactory(partner=other_partner, service_date=day))
    return partner


# 23:30 UTC on Nov 20: 18:30 in New York (evening), 15:30 in Los Angeles (not yet)
EVENING_IN_NEW_YORK = datetime.datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


def test_tomorrow_volume_goes_to_owners_whose_evening_began_once(
    tomorrow_packages, django_capture_on_commit_callbacks
):
    # when the hourly task runs twice (a retry, or the next hour)
    with django_capture_on_commit_callbacks(execute=True):
        first = tomorrow_volume_notify_due(at=EVENING_IN_NEW_YORK)
        second = tomorrow_volume_notify_due(at=EVENING_IN_NEW_YORK)
    # then only the New York owner got one email, with text and HTML
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@mail.test"]
    assert "3 packages for Saturday, Nov 21" in message.subject
    assert "3 packages" in message.alternatives[0][0]


def test_los_angeles_owner_hears_after_its_own_evening_begins(tomorrow_packages, other_partner):
    # when at 02:30 UTC on Nov 21: 18:30 on Nov 20 in Los Angeles
    sent = tomorrow_volume_notify_due(at=datetime.datetime(2026, 11, 21, 2, 30, tzinfo=UTC))
    # then (New York's evening already passed: it is Nov 20 21:30 there, sent for Nov 21 too)
    assert sent == 2
    periods = set(NotificationSent.objects.values_list("recipient__email", "period"))
    assert ("other-owner@mail.test", "2026-11-21") in periods


def test_switched_off_tomorrow_volume_is_not_sent(tomorrow_packages, partner_owner):
    # given
    switch_off(partner_owner, tomorrow_volume=False)
    # when
    sent = tomorrow_volume_notify_due(at=EVENING_IN_NEW_YORK)
    # then
    assert sent == 0 and not OutboundEmail.objects.exists()


def test_ops_digest_sends_yesterdays_operations_once_per_ops_user(
    ops_day, reviewer, ops_admin, django_capture_on_commit_callbacks
):
    # when the task is retried
    with django_capture_on_commit_callbacks(execute=True):
        assert ops_daily_digest_notify(day=DAY) == 2
        assert ops_daily_digest_notify(day=DAY) == 0
    # then each ops user has one digest with the hand-counted figures
    assert sorted(m.to[0] for m in mail.outbox) == ["opsadmin@mail.test", "reviewer@mail.test"]
    assert "3 delivered" in mail.outbox[0].subject
    assert "Completion (target 98.5%): 75.0%" in mail.outbox[0].body


def test_ops_digest_of_a_zero_data_day(reviewer):
    # when
    ops_daily_digest_notify(day=DAY)
    # then
    email = OutboundEmail.objects.get()
    assert "0 delivered" in email.subject and "Completion (target 98.5%): —" in email.body_text


def test_ops_digest_task_respects_the_switch(reviewer):
    # given
    switch_off(reviewer, ops_daily_digest=False)
    # when / then
    assert ops_daily_digest_task() == 0


def test_weekly_statement_email_once_per_week(partner, django_capture_on_commit_callbacks):
    # given a computed week with 2 delivered packages at $2.50
    monday = datetime.date(2026, 11, 16)
    manifest = ManifestFactory(partner=partner, service_date=monday)
    PackageFactory.create_batch(2, manifest=manifest, status=PackageStatus.DELIVERED)
    weekly_statements_compute(week_start=monday)
    # when sent twice
    with django_capture_on_commit_callbacks(execute=True):
        first = weekly_statements_notify(week_start=monday, time_zone=partner.time_zone)
        second = weekly_statements_notify(week_start=monday, time_zone=partner.time_zone)
    # then
    assert (first, second) == (1, 0)
    assert "$5.00" in mail.outbox[0].subject
    assert NotificationSent.objects.get().kind == NotificationKind.WEEKLY_STATEMENT
    assert Decimal("5.00") == partner.weekly_statements.get().amount


def test_preferences_page_saves_the_choices(partner_owner):
    # given
    client = client_for(partner_owner)
    url = reverse("dashboard:notification-preferences")
    # when
    assert client.get(url).status_code == 200
    response = client.post(url, {"weekly_statement": "on"})
    # then
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=partner_owner)
    assert (preference.weekly_statement, preference.tomorrow_volume) == (True, False)


def test_preferences_page_needs_a_log_in(client):
    assert client.get(reverse("dashboard:notification-preferences")).status_code == 302


def test_tomorrow_volume_names_a_calendar_day_of_the_partners_state(
    tomorrow_packages, partner, django_capture_on_commit_callbacks
):
    from partners.models import HolidayDay, HolidayKind

    HolidayDay.objects.create(
        date=datetime.date(2026, 11, 21), name="Nor'easter", kind=HolidayKind.AD_HOC,
        state=partner.state,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        tomorrow_volume_notify_due(at=EVENING_IN_NEW_YORK)
    [message] = mail.outbox
    assert "Tomorrow is Nor'easter in the holiday calendar" in message.body
    assert "Nor&#x27;easter in the holiday calendar" in message.alternatives[0][0]
