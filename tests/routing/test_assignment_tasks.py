"""The assignment's task, its place before the capacity check, the command and the ops page."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from hubdelivery.celery import app
from packages.models import Package
from routing.models import CapacityReport
from routing.services import capacity_checks_due
from routing.tasks import capacity_check_task, packages_assign_task
from tests.conftest import client_for
from tests.factories import DspFactory, PartnerFactory
from tests.routing.test_packages_assign import BACK_BAY, FAR_AWAY, dsp_packages


@pytest.mark.celery_worker
def test_assignment_and_the_check_run_on_a_real_worker(celery_worker_on_redis):
    # given a partner, and a DSP-level manifest for its next date: 3 near it, 1 far away
    partner = PartnerFactory(latitude=BACK_BAY[0], longitude=BACK_BAY[1])
    [(service_date, time_zone)] = capacity_checks_due()
    dsp = DspFactory()
    near = dsp_packages(dsp, 3, day=service_date)
    dsp_packages(dsp, 1, at=FAR_AWAY, zip_code="02421", day=service_date)
    # when the night's check goes through Redis to the worker
    report_id = app.send_task(
        "routing.tasks.capacity_check_task",
        kwargs={"service_date": service_date.isoformat(), "time_zone": time_zone},
    ).get(timeout=15)
    # then the packages were assigned before the check counted them
    assert set(
        Package.objects.filter(pk__in=[p.pk for p in near]).values_list("partner_id", flat=True)
    ) == {partner.pk}
    assert CapacityReport.objects.get(pk=report_id).packages_assigned == 3
    # and the task on its own is idempotent: the same result again
    result = app.send_task(
        "routing.tasks.packages_assign_task",
        kwargs={"dsp_id": dsp.pk, "service_date": service_date.isoformat()},
    ).get(timeout=15)
    assert result == [3, 1]
    assert Package.objects.filter(partner=partner).count() == 3


def test_check_task_assigns_the_dates_unplaced_packages_first(
    db, django_capture_on_commit_callbacks
):
    # given a DSP-level manifest for the date
    partner = PartnerFactory(latitude=BACK_BAY[0], longitude=BACK_BAY[1])
    day = datetime.date(2026, 12, 2)
    area_dsp = DspFactory()
    dsp_packages(area_dsp, 2, day=day)
    dsp_packages(area_dsp, 1, at=FAR_AWAY, zip_code="02421", day=day)  # stays with the DSP
    # when
    with django_capture_on_commit_callbacks(execute=True):
        capacity_check_task(service_date=day.isoformat(), time_zone=partner.time_zone)
    # then the check counted the two placed packages; the one left with the DSP is no finding
    assert Package.objects.filter(partner=partner, assigned_by_routing=True).count() == 2
    report = CapacityReport.objects.get(service_date=day)
    assert report.packages_assigned == 2 and report.partners_checked == 1


def test_assign_task_is_idempotent(db):
    partner = PartnerFactory(latitude=BACK_BAY[0], longitude=BACK_BAY[1], storage_capacity=10)
    dsp = DspFactory()
    day = datetime.date(2026, 12, 2)
    dsp_packages(dsp, 12, day=day)
    first = packages_assign_task(dsp_id=dsp.pk, service_date=day.isoformat())
    before = list(Package.objects.order_by("id").values_list("partner_id", "assignment_reason"))
    second = packages_assign_task(dsp_id=dsp.pk, service_date=day.isoformat())
    assert first == second == [10, 2]
    assert list(Package.objects.order_by("id").values_list("partner_id", "assignment_reason")) == (
        before
    )
    assert Package.objects.filter(partner=partner).count() == 10


def test_assign_packages_command(db, capsys):
    PartnerFactory(latitude=BACK_BAY[0], longitude=BACK_BAY[1])
    dsp = DspFactory(name="Area DSP")
    dsp_packages(dsp, 2, day=datetime.date(2026, 12, 2))
    dsp_packages(dsp, 1, at=FAR_AWAY, zip_code="02421", day=datetime.date(2026, 12, 2))
    call_command("assign_packages", "--date", "2026-12-02")
    assert "2026-12-02 Area DSP: 2 placed, 1 left with the DSP" in capsys.readouterr().out


# ------------------------------------------------------------------------------
# The ops page
# ------------------------------------------------------------------------------
ASSIGNMENT_URL = reverse("routing:ops-assignment")


@pytest.mark.parametrize("count", [3, 30])
def test_ops_assignment_page_lists_partner_and_reason_in_constant_queries(
    reviewer, count, django_assert_num_queries
):
    # given partners and a DSP-level manifest, assigned
    for _ in range(count // 3):
        PartnerFactory(latitude=BACK_BAY[0], longitude=BACK_BAY[1], storage_capacity=5)
    dsp = DspFactory()
    dsp_packages(dsp, count, day=datetime.date(2026, 12, 2))
    dsp_packages(dsp, 1, at=FAR_AWAY, zip_code="02421", day=datetime.date(2026, 12, 2))
    call_command("assign_packages", "--date", "2026-12-02")
    client = client_for(reviewer)
    # then: session, user, user's groups (ops check), the packages with partner and DSP
    with django_assert_num_queries(4):
        response = client.get(ASSIGNMENT_URL, {"date": "2026-12-02"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "With the DSP" in body and "no covering partner with room" in body
    assert "nearest covering partner with room" in body
    assert "Recipient, 0 Newbury St" in body  # ops see the recipient


@pytest.mark.parametrize("persona", ["partner_owner", "dsp_driver", "applicant"])
def test_ops_assignment_page_is_for_ops_only(request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(ASSIGNMENT_URL).status_code == 403
