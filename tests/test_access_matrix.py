"""Access-control matrix: every URL that takes an object id, requested by every persona, by
anonymous, and by the "other" tenant (another partner's owner, another applicant, a driver of
another DSP, another DSP's API token, another DSP's manager). Only the rightful ones get
through; everyone else gets a redirect to the log-in page, 401, 403 or 404.

The URL conf is enumerated: a pattern with a parameter that has no matrix entry (and is not a
token link listed in TOKEN_URLS) fails test_every_object_url_has_a_matrix_entry, so a new
URL must be added here. The Django admin (staff only, its own permission system) is outside
the matrix; test_admin_object_pages_are_staff_only covers it.

One world is built per test, and every request runs in a transaction that is rolled back, so
the rightful ones' POSTs (which change state) leave the world as it was for the next request.
"""

import datetime
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from dashboard.models import WeeklyStatement
from hubdelivery.lib.dates import local_date
from packages import services as package_services
from packages.models import DspApiToken, HandoffDirection, ManifestUpload
from partners.models import Closure, HolidayDay, HolidayKind, PartnerMember, TargetState
from routing.models import CapacityFinding, CapacityReport, FindingKind, ZipMove
from tests.factories import (
    ManifestFactory,
    MarketFactory,
    PackageFactory,
    PartnerApplicationFactory,
    StationFactory,
)

ANONYMOUS = "anonymous"
APPLICANT, OTHER_APPLICANT = "applicant", "other_applicant"
OWNER, STAFF, OTHER_OWNER = "partner_owner", "partner_staff", "other_partner_owner"
REVIEWER, OPS_ADMIN = "reviewer", "ops_admin"
DRIVER, OTHER_DRIVER = "dsp_driver", "other_dsp_driver"
TOKEN, OTHER_TOKEN = "dsp_token", "other_dsp_token"
MANAGER, OTHER_MANAGER = "dsp_manager", "other_dsp_manager"
PERSONAS = [
    ANONYMOUS,
    APPLICANT,
    OTHER_APPLICANT,
    OWNER,
    STAFF,
    OTHER_OWNER,
    REVIEWER,
    OPS_ADMIN,
    DRIVER,
    OTHER_DRIVER,
    TOKEN,
    OTHER_TOKEN,
    MANAGER,
    OTHER_MANAGER,
]
OPS = {REVIEWER, OPS_ADMIN}
MEMBERS = {OWNER, STAFF}

# Links that carry a signed token, not an object id: the token is the access check.
TOKEN_URLS = {
    "account_confirm_email": "allauth's email confirmation key",
    "account_reset_password_from_key": "allauth's password-reset key",
    "partners:staff-join": "a staff invitation's signed token",
    "packages:driver-join": "a driver invitation's signed token",
    "packages:dsp-manager-join": "a DSP manager invitation's signed token",
}


@dataclass(frozen=True)
class Entry:
    method: str
    args: Callable[[dict], list]
    allowed: frozenset[str]
    data: dict | None = None


def entry(
    method: str, args: Callable[[dict], list], *allowed: str | set[str], data: dict | None = None
) -> Entry:
    personas: set[str] = set()
    for item in allowed:
        personas |= item if isinstance(item, set) else {item}
    return Entry(method, args, frozenset(personas), data)


# A valid body where the refusal happens after validation (in the service), so the matrix
# reaches the access check for every persona.
IDEMPOTENT = {"idempotency_key": "matrix-key-1"}


MATRIX: dict[str, Entry] = {
    # The phone app's web manifest names a role, not an object: browsers fetch it without the
    # log-in cookie, so it is public and names no user.
    "packages:app-manifest": entry("get", lambda w: ["partner"], set(PERSONAS)),
    # Applicants
    "partners:application-edit": entry("get", lambda w: [w["application"].pk], APPLICANT),
    "partners:application-withdraw": entry("post", lambda w: [w["application"].pk], APPLICANT),
    # A submitted application's document: its applicant and ops (drafts are the applicant's
    # alone: test_ops_never_see_a_draft_document). One application per owner, so this one is
    # the other applicant's, and the applicant is the outsider.
    "partners:document-download": entry("get", lambda w: [w["document"].pk], OTHER_APPLICANT, OPS),
    # The partner's own pages
    "partners:partner-staff-remove": entry("post", lambda w: [w["staff_member"].pk], OWNER),
    "partners:partner-closure-cancel": entry("post", lambda w: [w["closure"].pk], OWNER),
    # Ops: partners, recruiting, markets
    "partners:ops-partner-detail": entry("get", lambda w: [w["partner"].pk], OPS),
    "partners:ops-partner-storage-verify": entry("post", lambda w: [w["partner"].pk], OPS),
    "partners:ops-partner-first-handoff": entry("post", lambda w: [w["partner"].pk], OPS),
    "partners:ops-partner-pause": entry("post", lambda w: [w["partner"].pk], OPS),
    "partners:ops-partner-resume": entry("post", lambda w: [w["partner"].pk], OPS),
    "partners:ops-partner-offboard": entry("post", lambda w: [w["partner"].pk], OPS),
    "partners:ops-member-background-result": entry("post", lambda w: [w["staff_member"].pk], OPS),
    "partners:review-detail": entry("get", lambda w: [w["submitted"].pk], OPS),
    "partners:review-assign": entry("post", lambda w: [w["submitted"].pk], OPS),
    "partners:review-decide": entry("post", lambda w: [w["submitted"].pk], OPS),
    "partners:review-note-add": entry("post", lambda w: [w["submitted"].pk], OPS),
    "partners:market-edit": entry("get", lambda w: [w["market"].pk], OPS_ADMIN),
    "partners:market-set-active": entry("post", lambda w: [w["market"].pk], OPS_ADMIN),
    "partners:target-state-set-active": entry("post", lambda w: [w["target_state"].pk], OPS_ADMIN),
    "partners:ops-holiday-remove": entry("post", lambda w: [w["holiday"].pk], OPS_ADMIN),
    "partners:ops-holiday-switch-off": entry(
        "post", lambda w: [w["federal_holiday"].pk], OPS_ADMIN, data={"reason": "Peak"}
    ),
    "partners:ops-partner-closure-override": entry("post", lambda w: [w["partner"].pk], OPS_ADMIN),
    # Packages: ops
    "packages:ops-manifest-upload-preview": entry("get", lambda w: [w["upload"].pk], OPS),
    "packages:ops-manifest-upload-confirm": entry("post", lambda w: [w["upload"].pk], OPS),
    "packages:ops-handoff": entry("get", lambda w: [w["handoff"].pk], OPS),
    "packages:ops-incident-resolve": entry("post", lambda w: [w["incident"].pk], OPS),
    "packages:ops-package": entry("get", lambda w: [w["received"].tracking_id], OPS),
    # Packages: the handoff (driver and partner) and the partner's deliveries
    "packages:handoff": entry("get", lambda w: [w["handoff"].pk], DRIVER, MEMBERS),
    "packages:handoff-scan": entry("post", lambda w: [w["handoff"].pk], DRIVER, MEMBERS),
    "packages:handoff-confirm": entry(
        "post", lambda w: [w["handoff"].pk], DRIVER, MEMBERS, data=IDEMPOTENT
    ),
    "packages:package-deliver": entry("post", lambda w: [w["received"].tracking_id], MEMBERS),
    "packages:package-attempt": entry("post", lambda w: [w["received"].tracking_id], MEMBERS),
    "packages:package-undo": entry("post", lambda w: [w["delivered"].tracking_id], MEMBERS),
    "packages:proof-photo": entry("get", lambda w: [w["attempt"].pk], MEMBERS, OPS),
    "packages:package-history": entry("get", lambda w: [w["received"].tracking_id], MEMBERS),
    # DSPs and their API keys: ops admins and the DSP's own managers (issue 18)
    "packages:dsp": entry("get", lambda w: [w["dsp"].pk], OPS_ADMIN, MANAGER),
    "packages:dsp-keys": entry("get", lambda w: [w["dsp"].pk], OPS_ADMIN, MANAGER),
    "packages:dsp-key-issue": entry("post", lambda w: [w["dsp"].pk], OPS_ADMIN, MANAGER),
    "packages:dsp-key-revoke": entry("post", lambda w: [w["token"].pk], OPS_ADMIN, MANAGER),
    "packages:dsp-key-rotate": entry(
        "post", lambda w: [w["token"].pk], OPS_ADMIN, MANAGER, data={"overlap": "1h"}
    ),
    # The DSP network (issue 18): ops admins run DSPs and stations; drivers and managers are
    # also the DSP's managers' to invite and remove (drivers to move).
    "packages:dsp-edit": entry("get", lambda w: [w["dsp"].pk], OPS_ADMIN),
    "packages:dsp-deactivate": entry("get", lambda w: [w["dsp"].pk], OPS_ADMIN),
    "packages:dsp-reactivate": entry("post", lambda w: [w["dsp"].pk], OPS_ADMIN),
    "packages:station-create": entry("get", lambda w: [w["dsp"].pk], OPS_ADMIN),
    "packages:station-edit": entry("get", lambda w: [w["station"].pk], OPS_ADMIN),
    "packages:station": entry("get", lambda w: [w["station"].pk], OPS_ADMIN, MANAGER),
    "packages:station-partner-add": entry("post", lambda w: [w["station"].pk], OPS_ADMIN, MANAGER),
    "packages:station-partner-remove": entry(
        "post", lambda w: [w["station"].pk], OPS_ADMIN, MANAGER
    ),
    "packages:driver-invite": entry("get", lambda w: [w["dsp"].pk], OPS_ADMIN, MANAGER),
    "packages:driver-move": entry("get", lambda w: [w["driver"].pk], OPS_ADMIN, MANAGER),
    "packages:driver-remove": entry("get", lambda w: [w["driver"].pk], OPS_ADMIN, MANAGER),
    "packages:dsp-manager-invite": entry("post", lambda w: [w["dsp"].pk], OPS_ADMIN, MANAGER),
    "packages:dsp-manager-remove": entry("get", lambda w: [w["manager"].pk], OPS_ADMIN, MANAGER),
    # Routing: ops
    "routing:ops-capacity-report": entry("get", lambda w: [w["report"].pk], OPS),
    "routing:ops-capacity-report-csv": entry("get", lambda w: [w["report"].pk], OPS),
    "routing:ops-finding-apply": entry("post", lambda w: [w["finding"].pk], OPS),
    "routing:ops-zip-move-undo": entry("post", lambda w: [w["zip_move"].pk], OPS),
    "routing:ops-partner-route": entry("get", lambda w: [w["partner"].pk], OPS),
    "routing:ops-partner-route-rebuild": entry("post", lambda w: [w["partner"].pk], OPS),
    "routing:ops-partner-coverage": entry("get", lambda w: [w["partner"].pk], OPS),
    # dashboard
    "dashboard:ops-dashboard-csv": entry("get", lambda w: ["operations-by-day"], OPS),
    "dashboard:partner-statement": entry("get", lambda w: [w["statement"].pk], OWNER),
    "dashboard:partner-statement-csv": entry("get", lambda w: [w["statement"].pk], OWNER),
    "dashboard:market-rates": entry("get", lambda w: [w["market"].pk], OPS_ADMIN),
    "dashboard:ops-statement": entry("get", lambda w: [w["statement"].pk], OPS_ADMIN),
    "dashboard:ops-statement-adjust": entry(
        "post", lambda w: [w["statement"].pk], OPS_ADMIN, data={"amount": "1", "reason": "x"}
    ),
    "dashboard:ops-statement-paid": entry(
        "post", lambda w: [w["statement"].pk], OPS_ADMIN, data={"reference": "ACH-1"}
    ),
    # API
    # Manifests belong to the DSP's systems (and ops), not to its drivers.
    "api-manifest-detail": entry("get", lambda w: [w["manifest"].pk], TOKEN, OPS),
    "api-package-detail": entry(
        "get", lambda w: [w["received"].tracking_id], TOKEN, DRIVER, MEMBERS, OPS
    ),
    "api-package-events": entry(
        "get", lambda w: [w["received"].tracking_id], TOKEN, DRIVER, MEMBERS, OPS
    ),
    "api-handoff-detail": entry("get", lambda w: [w["handoff"].pk], TOKEN, DRIVER, MEMBERS, OPS),
    "api-handoff-confirm": entry(
        "post", lambda w: [w["handoff"].pk], DRIVER, MEMBERS, data=IDEMPOTENT
    ),
    "api-incident-resolve": entry("post", lambda w: [w["incident"].pk], OPS),
}


def object_url_names() -> set[str]:
    """The names of the URL patterns outside the admin that take a parameter."""

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.pattern.regex.groups:
                yield f"{namespace}{pattern.name}"

    return set(walk(get_resolver().url_patterns))


def test_every_object_url_has_a_matrix_entry():
    names = object_url_names()
    assert names - MATRIX.keys() - TOKEN_URLS.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these MATRIX entries name no URL"


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def world(
    applicant,
    other_applicant,
    partner,
    partner_owner,
    partner_staff,
    other_partner,
    reviewer,
    ops_admin,
    dsp_driver,
    other_dsp_driver,
    dsp_token_key,
    other_dsp_token_key,
    dsp_manager,
    other_dsp_manager,
) -> dict:
    """The rightful side's objects: the applicant's application, the partner's handoff with
    the driver's DSP, its packages (received, delivered with a photo, one with an incident)."""
    dsp = dsp_driver.driver.dsp
    today = local_date(tz_name=partner.time_zone)
    application = PartnerApplicationFactory(owner=applicant)
    submitted = PartnerApplicationFactory(owner=other_applicant, status="submitted", documents=True)
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today, package_count=3)
    received, delivered, failed = PackageFactory.create_batch(3, manifest=manifest)
    handoff = package_services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=key(),
    ).handoff
    for package in (received, delivered, failed):
        package_services.package_receive(
            actor=dsp_driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=key(),
        )
    package_services.package_deliver(
        actor=partner_owner, package=delivered, idempotency_key=key(), photo=jpeg()
    )
    package_services.package_attempt(
        actor=partner_owner, package=failed, reason="unsafe", idempotency_key=key()
    )
    start = today + datetime.timedelta(days=10)
    return {
        "application": application,
        "document": submitted.documents.first(),
        "submitted": submitted,
        "partner": partner,
        "staff_member": PartnerMember.objects.get(user=partner_staff),
        "closure": Closure.objects.create(
            partner=partner, start_date=start, end_date=start, reason="Wedding"
        ),
        "market": MarketFactory(),
        "holiday": HolidayDay.objects.create(
            date=start, name="Storm", kind=HolidayKind.AD_HOC, state="AK", reason="Snow"
        ),
        "federal_holiday": HolidayDay.objects.create(
            date=start, name="Matrix Day", kind=HolidayKind.FEDERAL
        ),
        "target_state": TargetState.objects.order_by("pk").first()
        or TargetState.objects.create(code="VT", name="Vermont"),
        "upload": ManifestUpload.objects.create(
            dsp=dsp,
            partner=partner,
            service_date=today,
            external_id="upload-1",
            file_name="manifest.csv",
            uploaded_by=reviewer,
        ),
        "manifest": manifest,
        "dsp": dsp,
        "station": StationFactory(dsp=dsp),
        "driver": dsp_driver.driver,
        "manager": dsp_manager.dsp_manager,
        "token": DspApiToken.objects.get(dsp=dsp),
        "handoff": handoff,
        "received": received,
        "delivered": delivered,
        "attempt": delivered.attempts.get(),
        "incident": failed.incidents.get(),
        "statement": WeeklyStatement.objects.create(
            partner=partner,
            week_start=today - datetime.timedelta(days=today.weekday() + 7),
            week_end=today - datetime.timedelta(days=today.weekday() + 1),
            packages=3,
            delivered=1,
            rate_per_package=Decimal("2.50"),
            amount=Decimal("2.50"),
            computed_at=datetime.datetime.now(datetime.UTC),
        ),
        **capacity_objects(partner, other_partner, today),
        "clients": {
            ANONYMOUS: Client(),
            APPLICANT: logged_in(applicant),
            OTHER_APPLICANT: logged_in(other_applicant),
            OWNER: logged_in(partner_owner),
            STAFF: logged_in(partner_staff),
            OTHER_OWNER: logged_in(other_partner.owner),
            REVIEWER: logged_in(reviewer),
            OPS_ADMIN: logged_in(ops_admin),
            DRIVER: logged_in(dsp_driver),
            OTHER_DRIVER: logged_in(other_dsp_driver),
            TOKEN: Client(HTTP_AUTHORIZATION=f"Bearer {dsp_token_key}"),
            OTHER_TOKEN: Client(HTTP_AUTHORIZATION=f"Bearer {other_dsp_token_key}"),
            MANAGER: logged_in(dsp_manager),
            OTHER_MANAGER: logged_in(other_dsp_manager),
        },
    }


def capacity_objects(partner, neighbour, today: datetime.date) -> dict:
    """A report of today with a finding that names a neighbour, and that finding applied."""
    now = datetime.datetime.now(datetime.UTC)
    report = CapacityReport.objects.create(
        service_date=today, time_zone=partner.time_zone, started_at=now
    )
    finding = CapacityFinding.objects.create(
        report=report, partner=partner, kind=FindingKind.OVER_DAILY_CAPACITY, message="Over",
        suggested_action="Move", neighbour=neighbour, zip_codes=["02116"],
    )  # fmt: skip
    zip_move = ZipMove.objects.create(
        report=report, finding_kind=finding.kind, partner_from=partner, partner_to=neighbour,
        zip_codes=["02116"], service_date=today, applied_at=now,
    )  # fmt: skip
    return {"report": report, "finding": finding, "zip_move": zip_move}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def got_through(response) -> bool:
    """The request reached the view's work: not refused for who asked. A rightful POST may
    still be answered 400 or 409 (empty form, state), which is not an access refusal."""
    if response.status_code in (401, 403, 404, 405):
        return False
    return not (response.status_code == 302 and "/accounts/login/" in response["Location"])


def refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_only_the_rightful_personas_get_through(world):
    failures = []
    for name, spec in MATRIX.items():
        url = reverse(name, args=spec.args(world))
        for persona in PERSONAS:
            # Roll back each request: the next one sees the same world.
            with transaction.atomic():
                client = world["clients"][persona]
                response = getattr(client, spec.method)(url, spec.data or {})
                transaction.set_rollback(True)
            assert response.status_code < 500, (name, persona, response.status_code)
            if persona in spec.allowed:
                ok = response.status_code == 200 if spec.method == "get" else got_through(response)
            else:
                ok = refused(response)
            if not ok:
                location = response.get("Location", "")
                failures.append(
                    f"{spec.method.upper()} {url} as {persona}: {response.status_code} {location}"
                )
    assert failures == [], "\n".join(failures)


def test_ops_never_see_a_draft_document(client, draft_application, reviewer):
    client.force_login(reviewer)
    document = draft_application.documents.first()
    response = client.get(reverse("partners:document-download", args=[document.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [(ANONYMOUS, 302), (OWNER, 302), (REVIEWER, 302), (OPS_ADMIN, 200)]
)
def test_admin_object_pages_are_staff_only(world, persona, status, ops_admin):
    # given an ops admin (staff) and the others (not staff)
    ops_admin.is_staff = ops_admin.is_superuser = True
    ops_admin.save(update_fields=["is_staff", "is_superuser"])
    url = reverse("admin:partners_partner_change", args=[world["partner"].pk])
    # when each opens a partner's admin page
    response = world["clients"][persona].get(url)
    # then only staff get it; the others are sent to the (admin) log-in
    assert response.status_code == status
    if status == 302:
        assert "login" in response["Location"]
