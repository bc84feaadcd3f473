"""The ops coverage page: /ops/partners/<id>/coverage/."""

import pytest
from django.urls import reverse

from partners.models import PartnerEvent
from routing.models import Coverage
from tests.conftest import client_for


def url(partner_id: int) -> str:
    return reverse("routing:ops-partner-coverage", args=[partner_id])


def test_ops_see_the_default_coverage_on_a_map(reviewer, partner):
    # when
    response = client_for(reviewer).get(url(partner.pk))
    # then the walking partner's default radius is shown, with the map's data block
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not set yet" in body
    assert 'id="coverage-map-data"' in body and '"radius_m": 1609' in body
    assert 'value="1.0"' in body
    assert "js/coverage_map.js" in body


def test_saving_coverage_writes_it_and_an_audit_event(reviewer, partner):
    # when
    response = client_for(reviewer).post(
        url(partner.pk), {"zip_codes": "02118, 02116 02116", "radius_miles": "2.5"}
    )
    # then
    assert response.status_code == 302
    coverage = Coverage.objects.get(partner=partner)
    assert coverage.zip_codes == ["02116", "02118"] and coverage.radius_miles == 2.5
    assert coverage.updated_by == reviewer
    event = PartnerEvent.objects.get(partner=partner, kind="coverage_changed")
    assert event.actor == reviewer
    assert event.detail == "default ZIPs none; radius 1 mi -> ZIPs 02116, 02118; radius 2.5 mi"
    # and the map shows the saved ZIPs
    page = client_for(reviewer).get(url(partner.pk)).content.decode()
    assert '"label": "02118"' in page


def test_saving_the_same_coverage_again_writes_no_event(reviewer, partner):
    client = client_for(reviewer)
    client.post(url(partner.pk), {"zip_codes": "02116", "radius_miles": "1"})
    client.post(url(partner.pk), {"zip_codes": "02116", "radius_miles": "1"})
    assert PartnerEvent.objects.filter(kind="coverage_changed").count() == 1


def test_changing_coverage_records_before_and_after(reviewer, partner):
    client = client_for(reviewer)
    client.post(url(partner.pk), {"zip_codes": "02116", "radius_miles": "1"})
    client.post(url(partner.pk), {"zip_codes": "", "radius_miles": "3"})
    event = PartnerEvent.objects.filter(kind="coverage_changed").last()
    assert event.detail == "ZIPs 02116; radius 1 mi -> ZIPs none; radius 3 mi"


def test_unknown_zip_is_an_error_next_to_the_field_and_keeps_the_input(reviewer, partner):
    # when
    response = client_for(reviewer).post(
        url(partner.pk), {"zip_codes": "02116, 00000, abcde", "radius_miles": "2"}
    )
    # then nothing is saved, the error names the bad ZIPs, and what was typed is still there
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_zip_codes_error"' in body
    assert "Not known US ZIP codes: 00000, abcde." in body
    assert "02116, 00000, abcde</textarea>" in body
    assert 'value="2"' in body
    assert not Coverage.objects.exists()
    assert not PartnerEvent.objects.filter(kind="coverage_changed").exists()


@pytest.mark.parametrize("radius", ["10.5", "-1", "far"])
def test_radius_out_of_range_is_refused(reviewer, partner, radius):
    response = client_for(reviewer).post(url(partner.pk), {"zip_codes": "", "radius_miles": radius})
    assert response.status_code == 200
    assert 'id="id_radius_miles_error"' in response.content.decode()
    assert not Coverage.objects.exists()


def test_no_zips_and_no_radius_is_refused(reviewer, partner):
    response = client_for(reviewer).post(url(partner.pk), {"zip_codes": "", "radius_miles": "0"})
    assert "With no ZIP codes the radius must be above 0." in response.content.decode()
    assert not Coverage.objects.exists()


@pytest.mark.parametrize("persona", ["partner_owner", "partner_staff", "dsp_driver", "applicant"])
def test_only_ops_may_see_or_change_coverage(request, partner, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url(partner.pk)).status_code == 403
    assert client.post(url(partner.pk), {"radius_miles": "5"}).status_code == 403
    assert not Coverage.objects.exists()


def test_unknown_partner_is_404(reviewer):
    assert client_for(reviewer).get(url(999999)).status_code == 404


def test_page_works_without_tiles(reviewer, partner, settings):
    # given no tile server configured: the form and the data block are still there
    settings.MAP_TILE_URL = ""
    body = client_for(reviewer).get(url(partner.pk)).content.decode()
    assert 'data-tiles=""' in body and "Save coverage" in body
    assert "<script>" not in body  # no inline code: the map data is a JSON block


def test_partner_and_route_pages_link_to_coverage(reviewer, partner):
    client = client_for(reviewer)
    detail = client.get(reverse("partners:ops-partner-detail", args=[partner.pk]))
    route = client.get(reverse("routing:ops-partner-route", args=[partner.pk]))
    assert url(partner.pk) in detail.content.decode()
    assert url(partner.pk) in route.content.decode()
