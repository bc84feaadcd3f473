"""Bad input on every form: malformed, oversized, wrong-type and hostile values (HTML/JS,
SQL-looking strings, NUL bytes, huge text, a 20 MB file, a PNG that is really a PDF, a CSV
that is not UTF-8). Never a 500; what is echoed back is escaped; a refused post saves nothing.
"""

import datetime
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dashboard.models import WeeklyStatement
from hubdelivery.lib.dates import local_date
from packages import services as package_services
from packages.models import HandoffDirection
from tests.factories import (
    ManifestFactory,
    MarketFactory,
    PackageFactory,
    PartnerApplicationFactory,
    StationFactory,
)

SCRIPT = "<script>alert('x')</script>"
HOSTILE_TEXT = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE partners_partner; --",
    "1 OR 1=1",
    "nul\x00byte",
    "x" * 20_000,
    "💥" * 300,
    "  ",
    "-1",
    "1e309",
    "NaN",
    "2026-02-30",
]
TWENTY_MB = 20 * 1024 * 1024


def png_that_is_a_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("shop.png", b"%PDF-1.4\n% not a picture\n", content_type="image/png")


def twenty_mb(name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff" * TWENTY_MB, content_type=content_type)


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")


def key() -> str:
    return str(uuid.uuid4())


# Rows that must not change when a post is refused.
WATCHED = [
    "partners.PartnerApplication",
    "partners.ApplicationDocument",
    "partners.ApplicationEvent",
    "partners.Lead",
    "partners.Market",
    "partners.NetworkEvent",
    "partners.PartnerMember",
    "partners.Closure",
    "partners.HolidayDay",
    "partners.HolidayEvent",
    "partners.Partner",
    "packages.ManifestUpload",
    "packages.Manifest",
    "packages.Package",
    "packages.PackageEvent",
    "packages.DeliveryAttempt",
    "accounts.User",
    "dashboard.MarketRate",
    "dashboard.WeeklyStatement",
    "dashboard.StatementAdjustment",
    "packages.Dsp",
    "packages.Station",
    "packages.Driver",
]


def snapshot() -> dict[str, list]:
    """Every watched row, as its field values: a refused post must leave them equal."""
    return {
        label: list(apps.get_model(label).objects.order_by("pk").values_list()) for label in WATCHED
    }


@dataclass
class Form:
    name: str
    method: str
    url: Callable[[dict], str]
    persona: str
    valid: Callable[[dict], dict]
    fields: list[str]


FORMS = [
    Form(
        "holiday add",
        "post",
        lambda w: reverse("partners:ops-holiday-add"),
        "ops_admin",
        lambda w: {
            "add-date": str(w["today"] + datetime.timedelta(days=9)),
            "add-name": "Storm",
            "add-kind": "ad_hoc",
            "add-state": "AK",
            "add-market": "",
            "add-reason": "Snow",
        },
        ["add-date", "add-name", "add-kind", "add-state", "add-market", "add-reason"],
    ),
    Form(
        "closure past the allowance",
        "post",
        lambda w: reverse("partners:ops-partner-closure-override", args=[w["partner"].pk]),
        "ops_admin",
        lambda w: {
            "override-start_date": str(w["today"] + datetime.timedelta(days=9)),
            "override-end_date": str(w["today"] + datetime.timedelta(days=9)),
            "override-reason": "Flood",
            "override-override_reason": "Basement flooded",
        },
        ["override-start_date", "override-end_date", "override-reason", "override-override_reason"],
    ),
    Form(
        "eligibility",
        "get",
        lambda w: reverse("partners:eligibility"),
        "anonymous",
        lambda w: {"zip_code": "02116"},
        ["zip_code"],
    ),
    Form(
        "waitlist",
        "post",
        lambda w: reverse("partners:waitlist-join"),
        "anonymous",
        lambda w: {"email": "lead@mail.test", "zip_code": "80202"},
        ["email", "zip_code"],
    ),
    Form(
        "application",
        "post",
        lambda w: reverse("partners:application-edit", args=[w["draft"].pk]),
        "applicant",
        lambda w: {"trade_name": "Petal Shop", "save": "1"},
        [
            "trade_name",
            "legal_name",
            "ein",
            "owner_phone",
            "zip_code",
            "years_in_business",
            "daily_capacity",
            "opening_days",
            "opens_at",
        ],
    ),
    Form(
        "staff invite",
        "post",
        lambda w: reverse("partners:partner-staff"),
        "partner_owner",
        lambda w: {"full_name": "Sam Staff", "email": "sam@mail.test"},
        ["full_name", "email"],
    ),
    Form(
        "closures",
        "post",
        lambda w: reverse("partners:partner-closures"),
        "partner_owner",
        lambda w: {
            "start_date": str(w["today"] + datetime.timedelta(days=9)),
            "end_date": str(w["today"] + datetime.timedelta(days=9)),
            "reason": "Vacation",
        },
        ["start_date", "end_date", "reason"],
    ),
    Form(
        "settings",
        "post",
        lambda w: reverse("partners:partner-settings"),
        "partner_owner",
        lambda w: {
            "daily_capacity": "30",
            "storage_capacity": "60",
            "delivery_modes": ["walk"],
            "opening_days": ["mon", "tue"],
            "opens_at": "08:00",
            "closes_at": "18:00",
        },
        ["daily_capacity", "storage_capacity", "delivery_modes", "opens_at"],
    ),
    Form(
        "review decision",
        "post",
        lambda w: reverse("partners:review-decide", args=[w["submitted"].pk]),
        "reviewer",
        lambda w: {"decision": "reject", "reason": "Too far", "expected_status": "submitted"},
        ["decision", "reason", "expected_status"],
    ),
    Form(
        "review note",
        "post",
        lambda w: reverse("partners:review-note-add", args=[w["submitted"].pk]),
        "reviewer",
        lambda w: {"body": "Called the owner"},
        ["body"],
    ),
    Form(
        "scan",
        "post",
        lambda w: reverse("packages:handoff-scan", args=[w["handoff"].pk]),
        "dsp_driver",
        lambda w: {"tracking_id": w["package"].tracking_id, "idempotency_key": key()},
        ["tracking_id", "idempotency_key", "action", "device_time"],
    ),
    Form(
        "deliver",
        "post",
        lambda w: reverse("packages:package-deliver", args=[w["package"].tracking_id]),
        "partner_owner",
        lambda w: {"recipient_name": "Ann", "idempotency_key": key()},
        ["recipient_name", "safe_place_note", "idempotency_key", "device_time", "latitude"],
    ),
    Form(
        "dsp-key-issue",
        "post",
        lambda w: reverse("packages:dsp-key-issue", args=[w["dsp"].pk]),
        "dsp_manager",
        lambda w: {"label": "dispatch"},
        ["label"],
    ),
    Form(
        "dsp-key-revoke",
        "post",
        lambda w: reverse("packages:dsp-key-revoke", args=[w["token"].pk]),
        "dsp_manager",
        lambda w: {"reason": "lost"},
        ["reason"],
    ),
    Form(
        "dsp-key-rotate",
        "post",
        lambda w: reverse("packages:dsp-key-rotate", args=[w["token"].pk]),
        "dsp_manager",
        lambda w: {"overlap": "1h"},
        ["overlap"],
    ),
    Form(
        "dsp-create",
        "post",
        lambda w: reverse("packages:dsp-create"),
        "ops_admin",
        lambda w: {"name": "Frontier Last Mile", "contact_email": "ops@mail.test"},
        ["name", "contact_email"],
    ),
    Form(
        "dsp-edit",
        "post",
        lambda w: reverse("packages:dsp-edit", args=[w["dsp"].pk]),
        "ops_admin",
        lambda w: {"name": "Renamed DSP", "contact_email": ""},
        ["name", "contact_email"],
    ),
    Form(
        "dsp-deactivate",
        "post",
        lambda w: reverse("packages:dsp-deactivate", args=[w["dsp"].pk]),
        "ops_admin",
        lambda w: {"reason": "contract ended"},
        ["reason"],
    ),
    Form(
        "station-create",
        "post",
        lambda w: reverse("packages:station-create", args=[w["dsp"].pk]),
        "ops_admin",
        lambda w: {"code": "ANC1", "name": "Anchorage", "zip_code": "99501"},
        ["code", "name", "address_line", "zip_code", "latitude", "longitude"],
    ),
    Form(
        "driver-invite",
        "post",
        lambda w: reverse("packages:driver-invite", args=[w["dsp"].pk]),
        "dsp_manager",
        lambda w: {"email": "nina@mail.test", "full_name": "Nina Park"},
        ["email", "full_name", "home_station"],
    ),
    Form(
        "driver-move",
        "post",
        lambda w: reverse("packages:driver-move", args=[w["dsp_driver"].pk]),
        "dsp_manager",
        lambda w: {"home_station": str(w["station"].pk)},
        ["home_station"],
    ),
    Form(
        "driver-remove",
        "post",
        lambda w: reverse("packages:driver-remove", args=[w["dsp_driver"].pk]),
        "dsp_manager",
        lambda w: {"reason": "left"},
        ["reason"],
    ),
    Form(
        "market create",
        "post",
        lambda w: reverse("partners:market-create"),
        "ops_admin",
        lambda w: {"name": "Denver", "center_zip": "80202", "radius_miles": "10"},
        ["name", "center_zip", "radius_miles"],
    ),
    Form(
        "target state add",
        "post",
        lambda w: reverse("partners:target-state-list"),
        "ops_admin",
        lambda w: {"code": "CO"},
        ["code"],
    ),
    Form(
        "audit filters",
        "get",
        lambda w: reverse("dashboard:ops-audit"),
        "reviewer",
        lambda w: {"actor": "ops", "kind": "network", "date_from": "2026-01-01"},
        ["actor", "kind", "subject", "date_from", "date_to"],
    ),
    Form(
        "handoff filters",
        "get",
        lambda w: reverse("packages:ops-handoffs"),
        "reviewer",
        lambda w: {"status": "open"},
        ["status", "date_from", "date_to"],
    ),
    Form(
        "day-close",
        "post",
        lambda w: reverse("packages:day-close"),
        "partner_owner",
        lambda w: {"kept_safe": "on", "idempotency_key": key()},
        ["kept_safe", "idempotency_key", "device_time"],
    ),
    Form(
        "market-rate",
        "post",
        lambda w: reverse("dashboard:market-rates", args=[w["market"].pk]),
        "ops_admin",
        lambda w: {
            "rate_per_package": "3.10",
            "effective_from": str(w["today"] + datetime.timedelta(days=30)),
        },
        ["rate_per_package", "effective_from"],
    ),
    Form(
        "statement-adjust",
        "post",
        lambda w: reverse("dashboard:ops-statement-adjust", args=[w["statement"].pk]),
        "ops_admin",
        lambda w: {"amount": "-2.50", "reason": "Damaged package"},
        ["amount", "reason"],
    ),
    Form(
        "statement-paid",
        "post",
        lambda w: reverse("dashboard:ops-statement-paid", args=[w["statement"].pk]),
        "ops_admin",
        lambda w: {"reference": "ACH-1"},
        ["reference"],
    ),
]


@pytest.fixture
def world(
    applicant,
    other_applicant,
    partner,
    partner_owner,
    reviewer,
    ops_admin,
    dsp_driver,
    dsp_manager,
    settings,
) -> dict:
    settings.PORTAL_RATE_LIMITS = {}  # the sweep posts far more than a person would
    dsp = dsp_driver.driver.dsp
    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today, package_count=1)
    package = PackageFactory(manifest=manifest)
    handoff = package_services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=key(),
    ).handoff
    return {
        "today": today,
        "draft": PartnerApplicationFactory(owner=applicant),
        "submitted": PartnerApplicationFactory(owner=other_applicant, status="submitted"),
        "handoff": handoff,
        "package": package,
        "dsp": dsp,
        "station": StationFactory(dsp=dsp),
        "dsp_driver": dsp_driver.driver,
        "token": package_services.dsp_token_create(actor=None, dsp=dsp, label="dispatch")[0],
        "partner": partner,
        "market": MarketFactory(),
        "statement": WeeklyStatement.objects.create(
            partner=partner,
            week_start=datetime.date(2026, 11, 9),
            week_end=datetime.date(2026, 11, 15),
            rate_per_package=Decimal("2.50"),
            amount=Decimal("0.00"),
            computed_at=timezone.now(),
        ),
        "users": {
            "applicant": applicant,
            "partner_owner": partner_owner,
            "reviewer": reviewer,
            "ops_admin": ops_admin,
            "dsp_driver": dsp_driver,
            "dsp_manager": dsp_manager,
        },
    }


def client_as(world: dict, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    return client


def assert_safe(response, before: dict) -> None:
    """No 500; hostile markup never comes back unescaped; a post answered with anything but a
    redirect (a refusal: the form again, 4xx) changes no row."""
    assert response.status_code < 500
    body = response.content.decode(errors="replace")
    assert SCRIPT not in body
    assert "<img src=x onerror" not in body
    if response.status_code != 302:
        assert snapshot() == before


def assert_page_after_safe(client, response) -> None:
    """An accepted value is stored as typed; the page it leads to shows it escaped."""
    if response.status_code == 302:
        page = client.get(response["Location"])
        assert page.status_code < 500
        assert SCRIPT not in page.content.decode(errors="replace")


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_hostile_values_in_every_field(world, form):
    client = client_as(world, form.persona)
    for field in form.fields:
        for value in HOSTILE_TEXT:
            data = {**form.valid(world), field: value}
            before = snapshot()
            # when the field carries the hostile value (as the only value, or for a
            # multiple-choice field, as one of them)
            response = getattr(client, form.method)(form.url(world), data)
            # then
            assert_safe(response, before)
            assert_page_after_safe(client, response)


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_missing_and_repeated_fields(world, form):
    client = client_as(world, form.persona)
    for data in ({}, {f: ["a", "b", SCRIPT] for f in form.fields}, {"unexpected": SCRIPT}):
        before = snapshot()
        response = getattr(client, form.method)(form.url(world), data)
        assert_safe(response, before)


@pytest.mark.parametrize(
    ("field", "upload"),
    [
        ("business_licence", lambda: twenty_mb("licence.pdf", "application/pdf")),
        ("storage_photo", lambda: SimpleUploadedFile("x.html", SCRIPT.encode(), "text/html")),
        ("storage_photo", lambda: SimpleUploadedFile("x.png", b"MZ\x90\x00" * 64, "image/png")),
        ("storage_photo", lambda: SimpleUploadedFile(f"{SCRIPT}.png", b"", "image/png")),
    ],
    ids=["20 MB licence", "HTML as a photo", "EXE as a PNG", "empty file, hostile name"],
)
def test_application_uploads_that_lie_or_are_too_big(world, field, upload):
    client = client_as(world, "applicant")
    before = snapshot()
    url = reverse("partners:application-edit", args=[world["draft"].pk])
    response = client.post(url, {"trade_name": "Petal Shop", "save": "1", field: upload()})
    assert response.status_code == 400
    assert_safe(response, before)


def test_an_application_document_lying_about_its_type_is_kept_as_what_it_is(world):
    # given a PDF named shop.png and sent as image/png (documents may be PDF, JPEG or PNG)
    client = client_as(world, "applicant")
    url = reverse("partners:application-edit", args=[world["draft"].pk])
    # when it is uploaded
    client.post(
        url, {"trade_name": "Petal Shop", "save": "1", "storage_photo": png_that_is_a_pdf()}
    )
    # then it is stored as the PDF it is, under a name of ours, and served as a download
    document = world["draft"].documents.get()
    assert document.content_type == "application/pdf"
    assert "shop" not in document.file.name
    response = client.get(reverse("partners:document-download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "upload",
    [
        lambda: twenty_mb("door.jpg", "image/jpeg"),
        png_that_is_a_pdf,
        lambda: SimpleUploadedFile("door.jpg", b"", content_type="image/jpeg"),
    ],
    ids=["20 MB photo", "PNG that is a PDF", "empty photo"],
)
def test_delivery_photos_that_lie_or_are_too_big(world, upload):
    client = client_as(world, "partner_owner")
    before = snapshot()
    url = reverse("packages:package-deliver", args=[world["package"].tracking_id])
    response = client.post(url, {"idempotency_key": key(), "photo": upload()})
    assert_safe(response, before)
    assert response.status_code >= 400


MANIFEST_HEADER = "tracking_id,recipient_name,address_line,city,zip_code,latitude,longitude,size\n"


@pytest.mark.parametrize(
    "content",
    [
        "Récipient Ünïcode".encode("latin-1") + b"\n" + b"\xff\xfe\x00garbage",
        (MANIFEST_HEADER + "T1,Ann,1 Main St,Boston,02116,42.35,-71.07,small\n").encode("utf-16"),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        (MANIFEST_HEADER + f"T1,{SCRIPT},1 Main St,Boston,02116,abc,-71.07,huge\n").encode(),
        (MANIFEST_HEADER + "T1,Ann,1 Main St,Boston,02116,42.35\n").encode(),
        MANIFEST_HEADER.encode() + b"x" * TWENTY_MB,
        b"",
    ],
    ids=["latin-1", "utf-16", "binary", "hostile cells", "short row", "20 MB", "empty"],
)
def test_manifest_csv_upload_refuses_bad_files(world, content):
    client = client_as(world, "reviewer")
    before = snapshot()
    data = {
        "dsp": world["dsp"].pk,
        "partner": world["partner"].pk,
        "service_date": str(world["today"]),
        "external_id": "bad-1",
        "file": SimpleUploadedFile("manifest.csv", content, content_type="text/csv"),
    }
    response = client.post(reverse("packages:ops-manifest-upload"), data)
    assert_safe(response, before)
    # A staged upload with errors is allowed (its preview lists them), never a manifest.
    from packages.models import Manifest

    assert Manifest.objects.count() == len(before["packages.Manifest"])
    if response.status_code == 302:
        preview = client.get(response["Location"])
        assert_safe(preview, snapshot())
