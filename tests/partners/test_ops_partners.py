import pytest
from django.urls import reverse

from partners.models import PartnerEvent, PartnerStatus
from tests.factories import PartnerFactory, PartnerMemberFactory

OPS_URLS = [
    ("partners:ops-partner-list", False),
    ("partners:ops-partner-detail", True),
]


@pytest.mark.parametrize("persona", ["partner_owner", "partner_staff", "applicant", "dsp_driver"])
@pytest.mark.parametrize(("url_name", "takes_id"), OPS_URLS)
def test_non_ops_users_cannot_open_ops_partner_pages(
    client, request, partner, persona, url_name, takes_id
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(url_name, args=[partner.pk] if takes_id else [])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "action", ["pause", "resume", "offboard", "storage-verify", "first-handoff"]
)
def test_partner_owner_cannot_post_ops_actions(client, partner, action):
    client.force_login(partner.owner)
    url = reverse(f"partners:ops-partner-{action}", args=[partner.pk])
    assert client.post(url, {"pause-reason": "x", "offboard-reason": "x"}).status_code == 403
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE


def make_partners(count: int) -> None:
    for partner in PartnerFactory.create_batch(count):
        PartnerMemberFactory(partner=partner)


@pytest.mark.parametrize("count", [20, 200])
def test_partner_list_is_constant_query(client, reviewer, django_assert_max_num_queries, count):
    # given
    make_partners(count)
    client.force_login(reviewer)
    # then: session, user, groups, count, one page of partners with annotated counts
    with django_assert_max_num_queries(6):
        response = client.get(reverse("partners:ops-partner-list"))
    assert response.status_code == 200
    assert f"{count} partners" in response.content.decode()


def test_partner_list_filters_by_status_and_state(client, reviewer):
    PartnerFactory(trade_name="Paused Place", status=PartnerStatus.PAUSED, state="IL")
    PartnerFactory(trade_name="Active Boston", status=PartnerStatus.ACTIVE, state="MA")
    client.force_login(reviewer)
    html = client.get(reverse("partners:ops-partner-list"), {"status": "paused"}).content.decode()
    assert "Paused Place" in html
    assert "Active Boston" not in html
    html = client.get(reverse("partners:ops-partner-list"), {"state": "ma"}).content.decode()
    assert "Active Boston" in html
    assert "Paused Place" not in html


def test_partner_detail_is_constant_query(client, reviewer, partner, django_assert_max_num_queries):
    PartnerMemberFactory.create_batch(10, partner=partner)
    client.force_login(reviewer)
    with django_assert_max_num_queries(9):
        assert (
            client.get(reverse("partners:ops-partner-detail", args=[partner.pk])).status_code == 200
        )


def test_pause_without_reason_keeps_the_page_with_the_error(client, reviewer, partner):
    client.force_login(reviewer)
    url = reverse("partners:ops-partner-pause", args=[partner.pk])
    response = client.post(url, {"pause-reason": "", "pause-until": "2099-01-05"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert 'value="2099-01-05"' in html
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE


def test_ops_pause_then_offboard_through_the_pages(client, reviewer, partner):
    client.force_login(reviewer)
    client.post(reverse("partners:ops-partner-pause", args=[partner.pk]), {"pause-reason": "Flood"})
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.PAUSED
    client.post(
        reverse("partners:ops-partner-offboard", args=[partner.pk]), {"offboard-reason": "Closed"}
    )
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.OFFBOARDED
    events = PartnerEvent.objects.filter(partner=partner).values_list("actor", "to_status")
    assert list(events) == [(reviewer.pk, "paused"), (reviewer.pk, "offboarded")]


def test_illegal_lifecycle_post_shows_a_message_not_an_error(client, reviewer, partner):
    client.force_login(reviewer)
    partner.status = PartnerStatus.ONBOARDING
    partner.save()
    response = client.post(
        reverse("partners:ops-partner-pause", args=[partner.pk]),
        {"pause-reason": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert "cannot become paused" in response.content.decode()


def test_unknown_partner_is_404_for_ops(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("partners:ops-partner-detail", args=[99999])).status_code == 404
