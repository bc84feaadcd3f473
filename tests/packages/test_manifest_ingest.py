import datetime

import pytest

from hubdelivery.lib.zipdata import zip_lookup
from packages import services
from packages.models import Manifest, Package, PackageStatus
from packages.services.manifests import MAX_MANIFEST_ROWS, manifest_csv_parse
from partners.models import PartnerStatus
from tests.factories import PackageFactory


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
