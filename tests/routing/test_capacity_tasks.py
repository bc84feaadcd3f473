import datetime

import pytest

from hubdelivery.celery import app
from routing.models import CapacityFinding, CapacityReport
from routing.services import capacity_checks_due
from tests.factories import PartnerFactory
from tests.routing.conftest import packages_for


@pytest.mark.celery_worker
def test_beat_guard_and_check_run_on_a_real_worker(celery_worker_on_redis):
    # given an overflowing partner and no report yet for its next date
    partner = PartnerFactory()
    [(service_date, time_zone)] = capacity_checks_due()
    packages_for(partner, service_date, 35)
    # when beat's hourly guard goes through Redis to the worker
    due = app.send_task("routing.tasks.capacity_checks_enqueue_due_task").get(timeout=15)
    # then it enqueued that night's check, which the worker ran
    assert due == [[service_date.isoformat(), time_zone]]
    report_id = app.send_task(
        "routing.tasks.capacity_check_task",
        kwargs={"service_date": service_date.isoformat(), "time_zone": time_zone},
    ).get(timeout=15)
    report = CapacityReport.objects.get(pk=report_id)
    assert report.finished_at is not None
    assert CapacityFinding.objects.filter(report=report, kind="over_daily_capacity").count() == 1
    # and the guard finds nothing left to do
    assert app.send_task("routing.tasks.capacity_checks_enqueue_due_task").get(timeout=15) == []
    assert CapacityReport.objects.filter(service_date=service_date).count() == 1


def test_check_task_parses_the_date(db):
    from routing.tasks import capacity_check_task

    PartnerFactory()
    report_id = capacity_check_task(service_date="2026-12-02", time_zone="America/New_York")
    assert CapacityReport.objects.get(pk=report_id).service_date == datetime.date(2026, 12, 2)
