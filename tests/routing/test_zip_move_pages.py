"""The capacity pages' Apply and Undo: ops staff only, plain POST-redirect, refusals shown
as messages, the move's state on the finding and the report."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from packages.models import Package
from routing.models import CapacityFinding, FindingKind, ZipMove
from routing.services import capacity_check_run, finding_apply
from tests.factories import PartnerFactory
from tests.routing.conftest import open_handoff, packages_for

NY = "America/New_York"
DATE = datetime.date(2026, 12, 2)
NOW = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def finding(db) -> CapacityFinding:
    """Busy Florist over capacity by 4 packages of ZIP 02118; Helpful Cafe has room."""
    busy = PartnerFactory(trade_name="Busy Florist")
    PartnerFactory(trade_name="Helpful Cafe", latitude=42.3440, longitude=-71.0700)
    packages_for(busy, DATE, 30, zip_code="02116")
    packages_for(busy, DATE, 4, zip_code="02118")
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    return report.findings.get(kind=FindingKind.OVER_DAILY_CAPACITY)


def report_url(finding: CapacityFinding) -> str:
    return reverse("routing:ops-capacity-report", args=[finding.report_id])


def test_ops_apply_from_the_report_then_see_who_applied_and_undo(client, finding, reviewer):
    # given
    client.force_login(reviewer)
    page = client.get(report_url(finding)).content.decode()
    assert "Move ZIP 02118 to Helpful Cafe" in page
    # when
    response = client.post(
        reverse("routing:ops-finding-apply", args=[finding.pk]), {"next": report_url(finding)}
    )
    # then
    assert response.status_code == 302 and response["Location"] == report_url(finding)
    page = client.get(report_url(finding)).content.decode()
    assert "4 packages moved to Helpful Cafe." in page
    assert f"Applied by {reviewer}, Dec 1, 2026 8:30 PM EST" in page
    assert "Undo move" in page
    move = ZipMove.objects.get()
    # when undone
    client.post(reverse("routing:ops-zip-move-undo", args=[move.pk]))
    # then
    page = client.get(report_url(finding)).content.decode()
    assert "ZIP move undone: the packages are back with Busy Florist." in page
    assert f"Undone by {reviewer}" in page
    assert "Undo move" not in page
    assert not Package.objects.filter(partner__trade_name="Helpful Cafe").exists()


def test_the_latest_findings_page_offers_apply_and_returns_to_itself(client, finding, ops_admin):
    client.force_login(ops_admin)
    url = reverse("routing:ops-capacity")
    assert "Move ZIP 02118 to Helpful Cafe" in client.get(url).content.decode()
    response = client.post(reverse("routing:ops-finding-apply", args=[finding.pk]), {"next": url})
    assert response["Location"] == url
    assert "Undo move" in client.get(url).content.decode()


def test_undo_after_the_drop_off_opened_is_refused_with_its_reason(client, finding, reviewer):
    # given the move, then the neighbour's drop-off for the date
    move = finding_apply(finding=finding, actor=reviewer)
    open_handoff(move.partner_to, DATE)
    client.force_login(reviewer)
    # then the page offers no Undo, and a stale form's POST is refused with the reason
    assert "Undo move" not in client.get(report_url(finding)).content.decode()
    response = client.post(reverse("routing:ops-zip-move-undo", args=[move.pk]), follow=True)
    assert (
        "The ZIP move can no longer be undone: Helpful Cafe&#x27;s drop-off for Dec 2, 2026 "
        "has opened." in response.content.decode()
    )
    assert ZipMove.objects.get().undone_at is None


def test_a_finding_without_neighbour_shows_no_apply_and_a_post_is_refused(
    client, finding, reviewer
):
    CapacityFinding.objects.filter(pk=finding.pk).update(neighbour=None)
    client.force_login(reviewer)
    assert "Move ZIP" not in client.get(report_url(finding)).content.decode()
    response = client.post(reverse("routing:ops-finding-apply", args=[finding.pk]), follow=True)
    assert "This finding names no neighbour partner to move packages to." in (
        response.content.decode()
    )
    assert not ZipMove.objects.exists()


@pytest.mark.parametrize("persona", ["partner_owner", "partner_staff", "dsp_driver", "applicant"])
def test_apply_and_undo_are_ops_only(client, request, finding, reviewer, persona):
    move_finding = finding_apply(finding=finding, actor=reviewer)
    ZipMove.objects.filter(pk=move_finding.pk).update(undone_at=NOW)  # free to apply again
    client.force_login(request.getfixturevalue(persona))
    apply = client.post(reverse("routing:ops-finding-apply", args=[finding.pk]))
    undo = client.post(reverse("routing:ops-zip-move-undo", args=[move_finding.pk]))
    assert (apply.status_code, undo.status_code) == (403, 403)
    assert ZipMove.objects.count() == 1


def test_unknown_finding_or_move_is_404_and_get_is_405(client, finding, reviewer):
    client.force_login(reviewer)
    assert (
        client.post(reverse("routing:ops-finding-apply", args=[finding.pk + 99])).status_code == 404
    )
    assert client.post(reverse("routing:ops-zip-move-undo", args=[99])).status_code == 404
    assert client.get(reverse("routing:ops-finding-apply", args=[finding.pk])).status_code == 405


def test_an_outside_next_is_not_followed(client, finding, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("routing:ops-finding-apply", args=[finding.pk]), {"next": "https://evil.test/"}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("moves", [2, 8])
def test_the_report_page_reads_moves_in_the_same_queries(
    client, reviewer, moves, django_assert_num_queries
):
    # given `moves` findings applied (each its own partner and neighbour), one of them undone
    report = None
    for n in range(moves):
        lat = 42.30 + n * 0.2  # far apart: each busy partner's neighbour is its own
        busy = PartnerFactory(latitude=lat)
        PartnerFactory(latitude=lat + 0.005)
        packages_for(busy, DATE, 30, zip_code="02116")
        packages_for(busy, DATE, 2, zip_code="02118")
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    for finding in report.findings.filter(kind=FindingKind.OVER_DAILY_CAPACITY):
        finding_apply(finding=finding, actor=reviewer)
    ZipMove.objects.filter(pk=ZipMove.objects.first().pk).update(undone_at=NOW)
    assert ZipMove.objects.count() == moves
    client.force_login(reviewer)
    # then: session, user, roles, report, findings, moves, drop-offs
    with django_assert_num_queries(7):
        response = client.get(reverse("routing:ops-capacity-report", args=[report.pk]))
    # (each move shows on its finding and in the report's list of moves)
    assert response.content.decode().count("Applied by") == 2 * moves
