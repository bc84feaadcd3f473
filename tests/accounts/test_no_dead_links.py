"""Nobody sees a link they cannot open: every link on each role's home page and on the
pages its navigation leads to answers something other than 403."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PartnerApplicationFactory

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_PAGES = ("/static/", "/media/", "/jsi18n/")


def links_on(response) -> set[str]:
    return {
        href.replace("&amp;", "&")
        for href in HREF.findall(response.content.decode())
        if not href.startswith(NOT_PAGES)
    }


def nav_links(response) -> set[str]:
    header = response.content.decode().split('<main id="main"', 1)[0]
    return {href for href in HREF.findall(header) if not href.startswith(NOT_PAGES)}


def daily_pages(client) -> dict:
    """{path: response} of the home page and every page its navigation leads to."""
    home = client.get(reverse("accounts:home"), follow=True)
    pages = {home.request["PATH_INFO"]: home}
    for link in nav_links(home):
        pages.setdefault(link, client.get(link))
    return pages


def forbidden_links(client) -> dict[str, str]:
    """{link: the page it is on} for every link that answers 403, walking the home page,
    the navigation's pages and every link on them."""
    forbidden, seen = {}, set()
    for page_path, page in daily_pages(client).items():
        for link in links_on(page) - seen:
            seen.add(link)
            if client.get(link).status_code == 403:
                forbidden[link] = page_path
    return forbidden


PERSONAS = [
    "applicant",
    "partner_owner",
    "partner_staff",
    "reviewer",
    "ops_admin",
    "dsp_driver",
    "dsp_manager",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_link_on_a_roles_home_and_navigation_answers_403(request, persona):
    user = request.getfixturevalue(persona)
    PartnerApplicationFactory(status="submitted")  # something in the review queue
    assert forbidden_links(client_for(user)) == {}


def test_a_reviewer_sees_no_markets_or_target_states_link(reviewer, ops_admin):
    for page in ("partners:ops-home", "partners:review-queue"):
        reviewer_page = client_for(reviewer).get(reverse(page)).content.decode()
        admin_page = client_for(ops_admin).get(reverse(page)).content.decode()
        for link in (reverse("partners:market-list"), reverse("partners:target-state-list")):
            assert f'href="{link}"' not in reviewer_page
            assert f'href="{link}"' in admin_page


def admin_links(client) -> set[str]:
    return {
        f"{link} on {path}"
        for path, page in daily_pages(client).items()
        for link in links_on(page)
        if link.startswith("/admin/")
    }


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "ops_admin"])
def test_the_daily_pages_never_link_to_the_django_admin(request, persona):
    user = request.getfixturevalue(persona)
    assert admin_links(client_for(user)) == set()


def test_only_a_superuser_sees_the_admin_link(ops_admin, reviewer):
    # an ops admin is a superuser: the rare tasks of the README's list are one click away
    assert ops_admin.is_superuser
    assert admin_links(client_for(ops_admin))
    # a staff flag alone (set by hand in the admin) shows no link to pages it may not use
    reviewer.is_staff = True
    reviewer.save(update_fields=["is_staff"])
    assert admin_links(client_for(reviewer)) == set()
