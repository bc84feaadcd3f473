"""Manifest ingest: all or nothing, idempotent on the DSP's external id, set-based.

The same validation serves the API (one 400 listing every bad row) and the CSV preview
(the same list, before anything is saved). Validation costs one query for existing
tracking ids and, when the manifest names a partner, one read of its coverage, however many
rows there are; the insert is one bulk_create.
"""

import csv
import datetime
import io
import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.dates import local_date
from hubdelivery.lib.distance_text import distance_text
from hubdelivery.lib.geo import METRES_PER_MILE
from hubdelivery.lib.zipdata import zip_lookup
from packages.coverage import PackagePlace, places_outside_coverage
from packages.models import (
    RECEIVING_PARTNER_STATUSES,
    Dsp,
    DspApiToken,
    Manifest,
    ManifestUpload,
    Package,
    PackageSize,
)
from partners.models import Partner

MAX_MANIFEST_ROWS = 5000
MAX_CSV_BYTES = 5 * 1024 * 1024
TRACKING_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$")
ROW_FIELDS = (
    "tracking_id",
    "recipient_name",
    "address_line",
    "city",
    "zip_code",
    "latitude",
    "longitude",
    "size",
)
REQUIRED_TEXT_FIELDS = {"tracking_id": 40, "recipient_name": 150, "address_line": 200}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based position in the manifest's package list
    field: str
    message: str


class ManifestRejected(Exception):
    """The manifest has bad rows; nothing was saved. `errors` lists every one of them."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            ngettext(
                "%(n)d problem in the manifest; nothing was saved.",
                "%(n)d problems in the manifest; nothing was saved.",
                len(errors),
            )
            % {"n": len(errors)}
        )
        self.errors = errors

    def as_dicts(self) -> list[dict[str, Any]]:
        return [asdict(error) for error in self.errors]


# ------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    """Strings only (a ZIP sent as a number would lose its leading zero)."""
    return value.strip() if isinstance(value, str) else None


def _coordinate(value: Any, limit: float) -> float | str | None:
    """A float in range, None when absent, or an error message."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _("must be a number")
    if not math.isfinite(number) or abs(number) > limit:
        return _("must be between -%(limit)s and %(limit)s") % {"limit": f"{limit:g}"}
    return number


def _row_clean(index: int, raw: Any, errors: list[RowError]) -> dict[str, Any] | None:
    """One row's clean values, or None after appending its problems to `errors`."""
    if not isinstance(raw, dict):
        errors.append(RowError(index, "row", _("must be an object with the package's fields")))
        return None
    found: list[RowError] = []
    clean: dict[str, Any] = {}
    for field, max_length in REQUIRED_TEXT_FIELDS.items():
        value = raw.get(field)
        text = _text(value)
        if value is None or text == "":
            found.append(RowError(index, field, _("is required")))
        elif text is None:
            found.append(RowError(index, field, _("must be a string")))
        elif len(text) > max_length:
            found.append(
                RowError(
                    index, field, _("must be at most %(max)d characters") % {"max": max_length}
                )
            )
        else:
            clean[field] = text
    if "tracking_id" in clean and not TRACKING_ID_PATTERN.match(clean["tracking_id"]):
        found.append(RowError(index, "tracking_id", _("must be 4-40 letters, digits, '-' or '_'")))
    zip_value = raw.get("zip_code")
    place = None
    if zip_value is None or zip_value == "":
        found.append(RowError(index, "zip_code", _("is required")))
    elif _text(zip_value) is None:
        found.append(RowError(index, "zip_code", _("must be a string of 5 digits")))
    elif (place := zip_lookup(zip_value)) is None:
        found.append(
            RowError(
                index, "zip_code", _("%(zip)r is not a known US ZIP code") % {"zip": zip_value}
            )
        )
    else:
        clean["zip_code"] = place.zip_code
    city = raw.get("city")
    if city not in (None, "") and (_text(city) is None or len(city) > 100):
        found.append(RowError(index, "city", _("must be a string of at most 100 characters")))
    elif place is not None:
        clean["city"] = _text(city) or place.city
    coordinates = {}
    for field, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = _coordinate(raw.get(field), limit)
        if isinstance(value, str):
            found.append(RowError(index, field, value))
        else:
            coordinates[field] = value
    if len(coordinates) == 2 and (coordinates["latitude"] is None) != (
        coordinates["longitude"] is None
    ):
        found.append(
            RowError(index, "longitude", _("give both latitude and longitude, or neither"))
        )
    elif len(coordinates) == 2 and place is not None:
        # No coordinates given: the ZIP's centroid stands in until the address is geocoded.
        given = coordinates["latitude"] is not None
        clean["latitude"] = coordinates["latitude"] if given else place.latitude
        clean["longitude"] = coordinates["longitude"] if given else place.longitude
    size = raw.get("size") or PackageSize.MEDIUM
    if size not in PackageSize.values:
        found.append(
            RowError(
                index,
                "size",
                _("must be one of %(sizes)s") % {"sizes": ", ".join(PackageSize.values)},
            )
        )
    clean["size"] = size
    errors.extend(found)
    return None if found else clean


def manifest_rows_validate(
    *, rows: Any, partner: Partner | None = None
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Clean every row and report every problem: types, required fields, ZIPs, duplicates
    inside the manifest and against existing packages (one query), and, when the manifest
    names a partner, packages outside that partner's coverage (one read)."""
    if not isinstance(rows, list):
        return [], [RowError(0, "packages", _("must be a list of packages"))]
    if not rows:
        return [], [RowError(0, "packages", _("must list at least one package"))]
    if len(rows) > MAX_MANIFEST_ROWS:
        return [], [
            RowError(
                0,
                "packages",
                _("has %(n)d rows; at most %(max)d per manifest")
                % {"n": len(rows), "max": MAX_MANIFEST_ROWS},
            )
        ]
    errors: list[RowError] = []
    cleaned: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    for index, raw in enumerate(rows, start=1):
        clean = _row_clean(index, raw, errors)
        # Duplicates are checked on every row that has a tracking id, valid or not, so one
        # round of fixes is enough.
        tracking_id = _text(raw.get("tracking_id")) if isinstance(raw, dict) else None
        if tracking_id:
            if tracking_id in first_row_of:
                errors.append(
                    RowError(
                        index,
                        "tracking_id",
                        _("repeats row %(row)d") % {"row": first_row_of[tracking_id]},
                    )
                )
                continue
            first_row_of[tracking_id] = index
        if clean is not None:
            cleaned.append((index, clean))
    existing = set(
        Package.objects.filter(tracking_id__in=list(first_row_of)).values_list(
            "tracking_id", flat=True
        )
    )
    for tracking_id, index in first_row_of.items():
        if tracking_id in existing:
            errors.append(RowError(index, "tracking_id", _("already exists on another manifest")))
    if existing:
        cleaned = [
            (index, clean) for index, clean in cleaned if clean["tracking_id"] not in existing
        ]
    if partner is not None and cleaned:
        errors += manifest_coverage_validate(partner=partner, cleaned=cleaned)
    errors.sort(key=lambda error: (error.row, error.field))
    return [clean for _, clean in cleaned], errors


def manifest_coverage_validate(
    *, partner: Partner, cleaned: list[tuple[int, dict[str, Any]]]
) -> list[RowError]:
    """An error for every clean row whose package the named partner does not cover (its ZIPs
    or its radius, as routing defines them: packages.coverage)."""
    places = [
        PackagePlace(row, clean["zip_code"], clean["latitude"], clean["longitude"])
        for row, clean in cleaned
    ]
    return [
        RowError(
            outside.row,
            "zip_code",
            _("row %(row)d: %(distance)s from %(partner)s, outside its coverage (%(coverage)s)")
            % {
                "row": outside.row,
                "distance": distance_text(metres=outside.miles * METRES_PER_MILE),
                "partner": partner,
                "coverage": outside.coverage,
            },
        )
        for outside in places_outside_coverage(partner=partner, places=places)
    ]


def manifest_header_validate(
    *, partner: Partner | None, service_date: datetime.date, rows: Any
) -> list[RowError]:
    """Problems with the manifest as a whole (row 0).

    Without a partner (a DSP-level manifest) the service date is checked in the time zone of
    the first package's ZIP: the area the manifest covers.
    """
    errors = []
    if partner is not None and partner.status not in RECEIVING_PARTNER_STATUSES:
        errors.append(
            RowError(
                0,
                "partner",
                _("%(partner)s is %(status)s")
                % {"partner": partner, "status": partner.get_status_display().lower()},
            )
        )
    tz_name = partner.time_zone if partner is not None else _first_row_time_zone(rows)
    if tz_name and service_date < local_date(tz_name=tz_name):
        past = (
            _("is in the past for this partner")
            if partner is not None
            else _("is in the past for the first package's ZIP")
        )
        errors.append(RowError(0, "service_date", past))
    return errors


def _first_row_time_zone(rows: Any) -> str | None:
    """The time zone of the first row's ZIP; None when it has none (its row error says so)."""
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return None
    zip_value = _text(rows[0].get("zip_code"))
    place = zip_lookup(zip_value) if zip_value else None
    return place.time_zone if place else None


# ------------------------------------------------------------------------------
# Ingest
# ------------------------------------------------------------------------------
def manifest_ingest(
    *,
    dsp: Dsp,
    partner: Partner | None,
    service_date: datetime.date,
    external_id: str,
    rows: Any,
    source: str,
    created_by: User | None = None,
    created_by_token: DspApiToken | None = None,
) -> tuple[Manifest, bool]:
    """Create the manifest and its packages, or nothing. Returns (manifest, created).
    Without a partner the packages wait for routing.services.packages_assign.

    1. A manifest with this DSP and external id exists: return it; nothing is written.
    2. Validate the header and every row; any problem raises ManifestRejected with all of them.
    3. One transaction: the manifest row, then the packages in bulk.
    4. A concurrent ingest of the same external id or tracking ids loses on the unique
       constraints; it then answers with the winner's manifest or a conflict.
    """
    existing = Manifest.objects.filter(dsp=dsp, external_id=external_id).first()
    if existing is not None:
        return existing, False
    clean_rows, row_errors = manifest_rows_validate(rows=rows, partner=partner)
    errors = manifest_header_validate(partner=partner, service_date=service_date, rows=rows)
    errors += row_errors
    if errors:
        raise ManifestRejected(errors)
    try:
        with transaction.atomic():
            manifest = Manifest.objects.create(
                dsp=dsp,
                external_id=external_id,
                partner=partner,
                service_date=service_date,
                created_by=created_by,
                created_by_token=created_by_token,
                source=source,
                package_count=len(clean_rows),
            )
            Package.objects.bulk_create(
                [
                    Package(
                        dsp=dsp,
                        manifest=manifest,
                        partner=partner,
                        service_date=service_date,
                        **row,
                    )
                    for row in clean_rows
                ],
                batch_size=1000,
            )
    except IntegrityError as error:
        existing = Manifest.objects.filter(dsp=dsp, external_id=external_id).first()
        if existing is not None:
            return existing, False
        raise DomainError(
            _(
                "Another manifest created some of these tracking ids at the same moment; "
                "send the manifest again to see which rows clash."
            )
        ) from error
    return manifest, True


# ------------------------------------------------------------------------------
# CSV upload: parse, stage for preview, confirm
# ------------------------------------------------------------------------------
class CsvUnreadable(DomainError):
    """The file is not a CSV manifest we can read."""


def manifest_csv_parse(*, content: bytes) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV (with or without a byte-order mark) with a header line."""
    if len(content) > MAX_CSV_BYTES:
        raise CsvUnreadable(_("The file is larger than 5 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvUnreadable(
            _(
                "The file is not UTF-8 text (byte %(byte)d is not valid). "
                "Save it as 'CSV UTF-8' and upload it again."
            )
            % {"byte": error.start + 1}
        ) from error
    try:
        return _csv_rows(text)
    except csv.Error as error:
        raise CsvUnreadable(_("The CSV cannot be read: %(error)s.") % {"error": error}) from error


def _csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [field for field in ("tracking_id", "zip_code") if field not in header]
    if missing:
        raise CsvUnreadable(
            _("The header line lacks %(missing)s. Columns: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(ROW_FIELDS)}
        )
    reader.fieldnames = header
    return [
        {key: (value or "").strip() for key, value in row.items() if key in ROW_FIELDS}
        for row in reader
    ]


def manifest_upload_stage(
    *,
    actor: User,
    dsp: Dsp,
    partner: Partner | None,
    service_date: datetime.date,
    external_id: str,
    file_name: str,
    content: bytes,
) -> ManifestUpload:
    """Parse and validate an uploaded CSV and keep it for the preview. Creates no package."""
    rows = manifest_csv_parse(content=content)
    row_errors = manifest_rows_validate(rows=rows, partner=partner)[1]
    errors = manifest_header_validate(partner=partner, service_date=service_date, rows=rows)
    errors += row_errors
    if Manifest.objects.filter(dsp=dsp, external_id=external_id).exists():
        errors.insert(
            0,
            RowError(
                0,
                "external_id",
                _("%(dsp)s already has manifest %(manifest)s")
                % {"dsp": dsp, "manifest": external_id},
            ),
        )
    return ManifestUpload.objects.create(
        dsp=dsp,
        partner=partner,
        service_date=service_date,
        external_id=external_id,
        file_name=file_name[:255],
        rows=rows,
        errors=[asdict(error) for error in errors],
        uploaded_by=actor,
    )


@transaction.atomic
def manifest_upload_confirm(*, actor: User, upload: ManifestUpload) -> Manifest:
    """Save a previewed upload as a manifest. Confirming twice returns the same manifest."""
    upload = ManifestUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.manifest_id is not None:
        return upload.manifest
    if upload.errors:
        raise DomainError(_("This upload has errors; fix the file and upload it again."))
    manifest, created = manifest_ingest(
        dsp=upload.dsp,
        partner=upload.partner,
        service_date=upload.service_date,
        external_id=upload.external_id,
        rows=upload.rows,
        source="csv",
        created_by=actor,
    )
    if not created:  # the DSP sent it by API since the preview
        raise DomainError(
            _("%(dsp)s already has manifest %(manifest)s; nothing from this upload was saved.")
            % {"dsp": upload.dsp, "manifest": upload.external_id}
        )
    upload.manifest = manifest
    upload.save(update_fields=["manifest"])
    return manifest
