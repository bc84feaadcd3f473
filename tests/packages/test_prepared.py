"""packages.prepared: a queryset compiled once answers as the ORM does for each new value."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Count, F

from packages.models import Package
from packages.prepared import PreparedQuery


def _packages_of_day(*, partner_id: int, service_date: datetime.date, tracking_id: str):
    return (
        Package.objects.select_related("partner", "dsp")
        .filter(partner_id=partner_id, service_date=service_date)
        .exclude(tracking_id=tracking_id)
        .annotate(label=F("tracking_id"), partner_packages=Count("partner__packages"))
        .order_by("pk")
    )


PACKAGES_OF_DAY = PreparedQuery(
    _packages_of_day, partner_id=int, service_date=datetime.date, tracking_id=str
)


def test_a_prepared_query_answers_each_call_with_its_own_values(partner, manifested, today):
    first, third = manifested[0], manifested[2]
    for values in (
        {"partner_id": partner.pk, "service_date": today, "tracking_id": first.tracking_id},
        {"partner_id": partner.pk, "service_date": today, "tracking_id": third.tracking_id},
        {
            "partner_id": partner.pk,
            "service_date": today - datetime.timedelta(days=1),
            "tracking_id": first.tracking_id,
        },
        {"partner_id": partner.pk + 1, "service_date": today, "tracking_id": "none"},
    ):
        expected = list(_packages_of_day(**values))
        found = PACKAGES_OF_DAY.objects(**values)
        assert [p.pk for p in found] == [p.pk for p in expected]
        assert [(p.label, p.partner_packages) for p in found] == [
            (p.label, p.partner_packages) for p in expected
        ]


def test_a_prepared_query_carries_its_select_related_rows(
    partner, manifested, today, django_assert_num_queries
):
    with django_assert_num_queries(1):
        (package, *_) = PACKAGES_OF_DAY.objects(
            partner_id=partner.pk, service_date=today, tracking_id="none"
        )
        assert package.partner.trade_name == partner.trade_name
        assert package.dsp_id == manifested[0].dsp_id and package.dsp.name


PACKAGES_CREATED_AFTER = PreparedQuery(
    lambda *, after: Package.objects.filter(created__gt=after).order_by("pk"),
    after=datetime.datetime,
)


def test_a_prepared_datetime_is_passed_as_the_backend_takes_it(manifested):
    # given packages created a microsecond apart, around a time given in another time zone
    base = datetime.datetime(2026, 3, 1, 12, 0, 0, 500, tzinfo=datetime.UTC)
    for offset, package in enumerate(manifested):
        Package.objects.filter(pk=package.pk).update(
            created=base + datetime.timedelta(microseconds=offset)
        )
    eastern = datetime.timezone(datetime.timedelta(hours=-5))
    # when the query runs after each of them
    for offset in range(len(manifested)):
        after = (base + datetime.timedelta(microseconds=offset)).astimezone(eastern)
        # then it answers as the ORM does (SQLite's driver takes the datetime as UTC text)
        found = [p.pk for p in PACKAGES_CREATED_AFTER.objects(after=after)]
        assert found == [p.pk for p in manifested[offset + 1 :]]


@pytest.mark.django_db
def test_a_value_the_orm_does_not_pass_as_a_parameter_is_refused():
    # the ORM folds the date into a year lookup: the stand-in never reaches the SQL as given
    prepared = PreparedQuery(
        lambda *, day: Package.objects.filter(service_date__year=day.year), day=datetime.date
    )
    with pytest.raises(ValueError, match="day"):
        prepared.objects(day=datetime.date(2026, 1, 1))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks the tables this test's open "
    "transaction wrote, so another thread's connection cannot read them",
)
def test_a_prepared_query_runs_on_the_calling_threads_connection(partner, manifested, today):
    # given the query compiled on this thread, whose transaction holds the packages
    values = {"partner_id": partner.pk, "service_date": today, "tracking_id": "none"}
    assert len(PACKAGES_OF_DAY.objects(**values)) == 3
    answers = []

    def other_thread():
        try:
            answers.append(PACKAGES_OF_DAY.objects(**values))
        except Exception as error:  # noqa: BLE001 - the assertion below names it
            answers.append(error)
        finally:
            connection.close()

    # when another thread runs it
    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    # then it ran on that thread's own connection, outside this test's uncommitted transaction
    assert answers == [[]]
