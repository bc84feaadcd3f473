import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from hubdelivery.lib.dates import local_date
from hubdelivery.lib.zipdata import zip_lookup
from packages import coverage, services
from packages.models import Manifest, Package, PackageStatus
from packages.services.manifests import MAX_MANIFEST_ROWS, manifest_csv_parse
from partners.models import PartnerStatus
from routing.selectors import default_radius
from routing.services import coverage_update
from routing.services.coverage import MANIFEST_COVERAGE_MARGIN_MILES
from tests.factories import PackageFactory, PartnerFactory


def row(n: int, **overrides):
    values = {
        "tracking_id": f"TBA{n:09d}",
        "recipient_name": f"Recipient {n}",
        "address_line": f"{n} Newbury St",
        "zip_code": "02116",
        "size": "small",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def ingest(partner, dsp, today, rows, external_id="M-1"):
    return services.manifest_ingest(
        dsp=dsp,
        partner=partner,
        service_date=today,
        external_id=external_id,
        rows=rows,
        source="api",
    )


def errors_of(partner, dsp, today, rows) -> set[tuple[int, str]]:
    with pytest.raises(services.ManifestRejected) as rejected:
        ingest(partner, dsp, today, rows)
    assert not Manifest.objects.exists() and not Package.objects.exists()
    return {(error.row, error.field) for error in rejected.value.errors}


def test_ingest_creates_manifest_and_packages_with_zip_centroid(partner, dsp, today):
    # when
    manifest, created = ingest(
        partner, dsp, today, [row(1), row(2, latitude=42.35, longitude=-71.08, city="Back Bay")]
    )
    # then
    assert created and manifest.package_count == 2
    first, second = Package.objects.order_by("tracking_id")
    assert first.status == PackageStatus.MANIFESTED and first.city == "Boston"
    centroid = zip_lookup("02116")
    assert (first.latitude, first.longitude) == (centroid.latitude, centroid.longitude)
    assert (second.latitude, second.longitude, second.city) == (42.35, -71.08, "Back Bay")
    assert first.partner == partner and first.service_date == today


def test_resent_manifest_creates_nothing_and_answers_with_the_first(partner, dsp, today):
    first, _ = ingest(partner, dsp, today, [row(1)])
    # when: resent (even with other rows)
    again, created = ingest(partner, dsp, today, [row(1), row(2)])
    # then
    assert not created and again == first
    assert Package.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        (row(1, tracking_id=None), "tracking_id"),
        (row(1, recipient_name=""), "recipient_name"),
        (row(1, address_line=None), "address_line"),
        (row(1, zip_code=None), "zip_code"),
        (row(1, zip_code="00000"), "zip_code"),
        (row(1, zip_code="ABCDE"), "zip_code"),
        (row(1, zip_code=2116), "zip_code"),
        (row(1, recipient_name=42), "recipient_name"),
        (row(1, latitude="north"), "latitude"),
        (row(1, latitude=91, longitude=0), "latitude"),
        (row(1, latitude=42.3), "longitude"),
        (row(1, size="huge"), "size"),
        (row(1, tracking_id="x y"), "tracking_id"),
        ("not an object", "row"),
    ],
)
def test_each_bad_field_is_reported_with_row_and_field(partner, dsp, today, bad_row, field):
    assert errors_of(partner, dsp, today, [row(0), bad_row]) == {(2, field)}


def test_every_bad_row_is_reported_at_once(partner, dsp, today):
    rows = [row(1), row(2, zip_code="99999"), row(3), row(4, recipient_name=None, size="xl")]
    assert errors_of(partner, dsp, today, rows) == {
        (2, "zip_code"),
        (4, "recipient_name"),
        (4, "size"),
    }


def test_duplicate_tracking_id_inside_the_manifest(partner, dsp, today):
    assert errors_of(partner, dsp, today, [row(1), row(2), row(1)]) == {(3, "tracking_id")}


def test_tracking_id_that_already_exists(partner, dsp, today):
    PackageFactory(tracking_id="TBA000000002")
    with pytest.raises(services.ManifestRejected) as rejected:
        ingest(partner, dsp, today, [row(1), row(2)])
    assert [(e.row, e.field) for e in rejected.value.errors] == [(2, "tracking_id")]
    assert Package.objects.count() == 1


def test_over_5000_rows_is_refused(partner, dsp, today):
    rows = [row(n) for n in range(MAX_MANIFEST_ROWS + 1)]
    assert errors_of(partner, dsp, today, rows) == {(0, "packages")}


def test_partner_that_does_not_receive_packages(partner, dsp, today):
    partner.status = PartnerStatus.OFFBOARDED
    partner.save()
    assert errors_of(partner, dsp, today, [row(1)]) == {(0, "partner")}


def test_service_date_in_the_past(partner, dsp, today):
    yesterday = today - datetime.timedelta(days=1)
    assert errors_of(partner, dsp, yesterday, [row(1)]) == {(0, "service_date")}


def test_5000_rows_validate_with_one_query(partner, dsp, today, django_assert_num_queries):
    from packages.services.manifests import manifest_rows_validate

    rows = [row(n) for n in range(MAX_MANIFEST_ROWS)]
    # one query: which of these tracking ids exist already
    with django_assert_num_queries(1):
        clean, errors = manifest_rows_validate(rows=rows)
    assert len(clean) == MAX_MANIFEST_ROWS and not errors


# ------------------------------------------------------------------------------
# CSV parsing
# ------------------------------------------------------------------------------
def test_csv_with_byte_order_mark_parses():
    content = "\ufefftracking_id,recipient_name,address_line,zip_code\nTBA1,Jo,1 Main St,02116\n"
    rows = manifest_csv_parse(content=content.encode("utf-8"))
    assert rows == [
        {
            "tracking_id": "TBA1",
            "recipient_name": "Jo",
            "address_line": "1 Main St",
            "zip_code": "02116",
        }
    ]


def test_non_utf8_csv_is_a_clear_error():
    content = "tracking_id,recipient_name,address_line,zip_code\nTBA1,José,1 Main,02116\n"
    with pytest.raises(services.manifests.CsvUnreadable, match="not UTF-8"):
        manifest_csv_parse(content=content.encode("latin-1"))


def test_csv_without_required_columns_is_a_clear_error():
    with pytest.raises(services.manifests.CsvUnreadable, match="zip_code"):
        manifest_csv_parse(content=b"tracking_id,name\nTBA1,Jo\n")


def test_csv_with_a_broken_quote_is_a_clear_error():
    with pytest.raises(services.manifests.CsvUnreadable, match="cannot be read"):
        manifest_csv_parse(content=b'tracking_id,zip_code\n"TBA1,02116\n')


# ------------------------------------------------------------------------------
# Coverage: a manifest naming a partner stays inside that partner's coverage
# ------------------------------------------------------------------------------
MILE_OF_LATITUDE = 1 / 69.05  # degrees


def north_of(partner, miles: float, n: int, **overrides):
    """A row whose package lies `miles` due north of the partner's shop."""
    return row(
        n, latitude=partner.latitude + miles * MILE_OF_LATITUDE, longitude=partner.longitude,
        **overrides,
    )  # fmt: skip


def rejection_of(partner, dsp, today, rows) -> services.ManifestRejected:
    with pytest.raises(services.ManifestRejected) as rejected:
        ingest(partner, dsp, today, rows)
    return rejected.value


def test_row_far_outside_the_partners_coverage_rejects_the_whole_manifest(dsp, db):
    # given: an Anchorage shop (default coverage: the walking radius) and a New York row
    anchorage = PartnerFactory(
        trade_name="Midnight Sun Florist", zip_code="99501", city="Anchorage", state="AK",
        latitude=61.2176, longitude=-149.8631, time_zone="America/Anchorage",
    )  # fmt: skip
    today = local_date(tz_name=anchorage.time_zone)
    rows = [row(1, zip_code="99501"), row(2, zip_code="10001"), row(3, zip_code="99501")]
    # when
    rejected = rejection_of(anchorage, dsp, today, rows)
    # then: one error, naming the row, the partner and the distance; nothing stored
    [error] = rejected.errors
    assert (error.row, error.field) == (2, "zip_code")
    assert error.message.startswith("row 2: 3,3")
    assert " mi from Midnight Sun Florist, outside its coverage" in error.message
    assert not Manifest.objects.exists() and not Package.objects.exists()


def test_row_past_the_radius_but_within_the_margin_is_accepted(partner, dsp, today):
    # given: the walking radius (1 mile) and the margin (1 mile)
    assert MANIFEST_COVERAGE_MARGIN_MILES == 1.0
    rows = [north_of(partner, 1.9, 1), north_of(partner, 2.1, 2)]
    # when
    rejected = rejection_of(partner, dsp, today, rows)
    # then: 1.9 miles out passes, 2.1 does not
    assert [(e.row, e.field) for e in rejected.errors] == [(2, "zip_code")]
    assert "2.1 mi from Back Bay Blooms" in rejected.errors[0].message
    assert "radius 1 mi + 1 mi margin" in rejected.errors[0].message


def test_row_in_a_listed_zip_is_accepted_however_far(partner, dsp, today, reviewer):
    # given: the partner also serves a ZIP across the river
    coverage_update(partner=partner, actor=reviewer, zip_codes=["02139"], radius_miles=1.0)
    # when
    manifest, created = ingest(partner, dsp, today, [row(1, zip_code="02139")])
    # then
    assert created and manifest.package_count == 1


def test_partner_without_coverage_row_gets_the_default_radius_of_its_modes(dsp, db):
    # given: a car partner covers 10 miles by default
    driving = PartnerFactory(delivery_modes=["walk", "car"])
    today = local_date(tz_name=driving.time_zone)
    # when
    _, created = ingest(driving, dsp, today, [north_of(driving, 8, 1)])
    # then
    assert created
    assert default_radius(["walk", "car"]) == 10.0


def test_zip_only_partner_gets_no_margin(partner, dsp, today, reviewer):
    # given: a radius of 0 serves the listed ZIPs only
    coverage_update(partner=partner, actor=reviewer, zip_codes=["02116"], radius_miles=0)
    # when: a package a few hundred metres from the shop, in another ZIP
    rejected = rejection_of(partner, dsp, today, [north_of(partner, 0.2, 1, zip_code="02114")])
    # then
    assert "(ZIPs 02116; radius 0 mi)" in rejected.errors[0].message


def test_5000_rows_for_a_partner_validate_with_two_queries(
    partner, dsp, today, django_assert_num_queries
):
    from packages.services.manifests import manifest_rows_validate

    rows = [row(n) for n in range(MAX_MANIFEST_ROWS)]
    # existing tracking ids, and the partner's coverage: not one query per row
    with django_assert_num_queries(2):
        clean, errors = manifest_rows_validate(rows=rows, partner=partner)
    assert len(clean) == MAX_MANIFEST_ROWS and not errors


def test_manifest_refuses_to_run_without_a_registered_coverage_check(
    partner, dsp, today, monkeypatch
):
    # given: routing's check missing (e.g. routing dropped from INSTALLED_APPS)
    monkeypatch.setattr(coverage, "_registered", [])
    # when / then: a configuration error, not a manifest that skips the rule
    with pytest.raises(ImproperlyConfigured):
        ingest(partner, dsp, today, [row(1)])
