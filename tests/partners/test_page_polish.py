"""Small things found while using the pages: people by name, the applicant's link leaves an
active partner's navigation, readable event labels, a favicon."""

import re

from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from accounts.roles import Role
from partners.events import partner_event_record
from partners.models import MemberRole, PartnerEventKind
from tests.conftest import client_for
from tests.factories import PartnerApplicationFactory, PartnerMemberFactory, UserFactory

FAVICON = "img/favicon.svg"


def visible_text(response) -> str:
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_review_queue_names_the_owner_rather_than_the_email(reviewer):
    owner = UserFactory(email="rosa.owner@mail.test", full_name="Rosa Owner")
    PartnerApplicationFactory(owner=owner, owner_name="Rosa Owner", status="submitted")
    text = visible_text(client_for(reviewer).get(reverse("partners:review-queue")))
    assert "Rosa Owner" in text
    assert "rosa.owner@mail.test" not in text


def test_the_staff_page_shows_a_nameless_member_once_by_email(partner):
    PartnerMemberFactory(
        partner=partner,
        user=UserFactory(email="nameless@mail.test", full_name=""),
        role=MemberRole.STAFF,
    )
    PartnerMemberFactory(
        partner=partner,
        user=UserFactory(email="sam@mail.test", full_name="Sam Named"),
        role=MemberRole.STAFF,
    )
    text = visible_text(client_for(partner.owner).get(reverse("partners:partner-staff")))
    assert text.count("nameless@mail.test") == 1
    assert "Sam Named" in text


def test_my_application_leaves_the_navigation_of_a_partner_owner(partner):
    # an approved owner keeps the applicant role they signed up with
    owner = partner.owner
    owner.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
    nav = client_for(owner).get(reverse("partners:partner-home")).context["nav_items"]
    labels = [str(label) for label, _url in nav]
    assert "My business" in labels
    assert "My application" not in labels


def test_an_applicant_keeps_my_application_in_the_navigation(applicant):
    nav = client_for(applicant).get(reverse("partners:applicant-home")).context["nav_items"]
    assert "My application" in [str(label) for label, _url in nav]


def test_the_partner_history_shows_readable_event_labels(partner, reviewer):
    partner_event_record(partner=partner, actor=reviewer, kind=PartnerEventKind.BACKGROUND_RESULT)
    url = reverse("partners:ops-partner-detail", args=[partner.pk])
    text = visible_text(client_for(reviewer).get(url))
    assert "Background check result" in text
    assert "background_result" not in text
    assert "Backgroundresult" not in text
    spanish = visible_text(client_for(reviewer).get(url, HTTP_ACCEPT_LANGUAGE="es"))
    assert "Resultado de la verificación de antecedentes" in spanish


def test_every_page_links_the_favicon(client, db):
    page = client.get(reverse("partners:landing")).content.decode()
    assert f'<link rel="icon" href="{static(FAVICON)}"' in page
    assert finders.find(FAVICON) is not None
