"""Issue 14, finding 4: every link in every email starts with settings.SITE_URL.

One helper builds them (hubdelivery.lib.urls.absolute_url); allauth's links, built from the
request's host, are re-based onto SITE_URL by accounts.adapters.email_context. The Sites row
follows SITE_URL's host (accounts.apps.site_sync). tests/conftest.py checks, for the whole
suite, that no email names example.com."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sites.models import Site
from django.urls import reverse

from accounts.apps import site_sync
from accounts.models import OutboundEmail
from dashboard.notifications import ops_daily_digest_notify
from hubdelivery.lib.urls import absolute_url, rebased_on_site
from partners.services.applications import application_submit
from partners.services.recruiting import lead_invite
from tests.conftest import client_for, example_com_mentions
from tests.factories import LeadFactory

SITE = "https://portal.hub.test"
LINK = re.compile(r"https?://[^\s\"'<>]+")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site_url(settings) -> str:
    settings.SITE_URL = SITE
    return SITE


def links_of(email: OutboundEmail) -> list[str]:
    return LINK.findall(email.body_text) + LINK.findall(email.body_html)


def assert_links_on_site(kind: str) -> list[str]:
    """The links of the one email of `kind`: at least one, every one on SITE."""
    email = OutboundEmail.objects.get(kind=kind)
    links = links_of(email)
    assert links, email.body_text
    assert all(link == SITE or link.startswith(SITE + "/") for link in links), links
    assert "testserver" not in email.body_text + email.body_html
    return links


# ------------------------------------------------------------------------------
# The helper and the settings
# ------------------------------------------------------------------------------
def test_absolute_url_puts_a_path_on_site_url(site_url):
    assert absolute_url("/partner/") == "https://portal.hub.test/partner/"


def test_absolute_url_refuses_anything_but_a_path(site_url):
    with pytest.raises(ValueError, match="starting with '/'"):
        absolute_url("https://elsewhere.test/partner/")


def test_a_link_built_from_the_request_host_is_rebased_keeping_path_and_query(site_url):
    assert rebased_on_site("http://testserver/a/b/?c=1#d") == "https://portal.hub.test/a/b/?c=1#d"


@pytest.mark.parametrize("bad", ["portal.hub.test", "ftp://portal.hub.test", "https://x.test/app"])
def test_site_url_must_be_an_origin(bad):
    # when the settings load with a SITE_URL that is not an origin, then they refuse to start
    result = load_settings("hubdelivery.settings.test", SITE_URL=bad)
    assert result.returncode != 0 and "SITE_URL must be the portal's origin" in result.stderr


def test_production_refuses_to_start_without_site_url():
    # when the production settings load with SECRET_KEY but no SITE_URL
    result = load_settings("hubdelivery.settings.production", SECRET_KEY="x" * 50)
    # then they name the missing variable
    assert result.returncode != 0 and "Set the environment variable SITE_URL" in result.stderr


def load_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    return subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


# ------------------------------------------------------------------------------
# The Sites table follows SITE_URL
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_migrate_left_the_site_on_site_urls_host():
    # given the test database, migrated with the default SITE_URL
    # then Django's example.com is gone
    site = Site.objects.get(pk=django_settings.SITE_ID)
    assert (site.domain, site.name) == ("127.0.0.1:8000", "127.0.0.1:8000")


@pytest.mark.django_db
def test_site_sync_moves_the_site_to_a_new_site_url(site_url):
    # given the current site was read (and cached) before the change
    Site.objects.get_current()
    # when migrate's hook runs under the new SITE_URL
    site_sync(apps=apps, using="default")
    # then the current site is the new host, at once
    assert Site.objects.get_current().domain == "portal.hub.test"


# ------------------------------------------------------------------------------
# allauth's emails (request-built links)
# ------------------------------------------------------------------------------
SIGNUP = {
    "email": "new.florist@shop.test",
    "password1": "tulips-42-may",
    "password2": "tulips-42-may",
}


@pytest.mark.django_db
def test_verification_email_links_to_site_url(client, site_url):
    # when someone signs up
    client.post(reverse("account_signup"), SIGNUP)
    # then the confirmation link and the footer are on SITE_URL
    links = assert_links_on_site("email_confirmation_signup")
    assert any("/accounts/confirm-email/" in link for link in links)
    email = OutboundEmail.objects.get(kind="email_confirmation_signup")
    assert email.subject.startswith("[Hub Delivery]")
    assert "register an account on portal.hub.test" in email.body_text


def test_password_reset_email_links_to_site_url(client, applicant, site_url):
    # when a known user asks for a new password
    client.post(reverse("account_reset_password"), {"email": applicant.email})
    # then the reset link is on SITE_URL
    links = assert_links_on_site("password_reset_key")
    assert any("/accounts/password/reset/key/" in link for link in links)


@pytest.mark.django_db
def test_unknown_account_email_links_to_site_url(client, site_url):
    # when someone asks for a password for an address without an account
    client.post(reverse("account_reset_password"), {"email": "nobody@shop.test"})
    # then the sign-up link is on SITE_URL
    assert reverse("account_signup") in " ".join(assert_links_on_site("unknown_account"))


def test_account_already_exists_email_links_to_site_url(client, applicant, site_url):
    # when someone signs up again with a registered address
    client.post(reverse("account_signup"), {**SIGNUP, "email": applicant.email})
    # then the links (sign up, reset the password) are on SITE_URL
    assert len(assert_links_on_site("account_already_exists")) >= 1


# ------------------------------------------------------------------------------
# The portal's own emails (hubdelivery.lib.urls.absolute_url)
# ------------------------------------------------------------------------------
def test_application_email_links_to_site_url(draft_application, applicant, site_url):
    # when the applicant submits
    application_submit(application=draft_application, actor=applicant)
    # then the email links to their application on SITE_URL
    links = assert_links_on_site("application-submitted")
    assert SITE + reverse("partners:applicant-home") in links


@pytest.mark.django_db
def test_waitlist_invitation_links_to_site_url(site_url):
    # when a waitlisted lead is invited to apply
    lead_invite(lead=LeadFactory(email="lead@shop.test"), invited_for="Denver opened")
    # then the sign-up link is on SITE_URL
    assert SITE + reverse("account_signup") in assert_links_on_site("application-invitation")


def test_staff_invitation_links_to_site_url(partner_owner, site_url):
    # when the owner invites a new person
    client_for(partner_owner).post(
        reverse("partners:partner-staff"), {"full_name": "New Staff", "email": "new@shop.test"}
    )
    # then the join link is on SITE_URL, whatever host the owner's browser used
    links = assert_links_on_site("staff-invitation")
    assert any("/partner/join/" in link for link in links)


def test_ops_digest_links_to_site_url(reviewer, site_url):
    # when the daily digest goes out
    ops_daily_digest_notify(day=datetime.date(2026, 11, 20))
    # then it links to the dashboard on SITE_URL
    assert SITE + reverse("dashboard:ops-dashboard") in assert_links_on_site("ops-daily-digest")


def test_capacity_report_links_to_site_url(ops_admin, site_url):
    from routing.services.capacity import capacity_report_email, report_lock

    # when a capacity report is emailed to ops
    report = report_lock(service_date=datetime.date(2026, 11, 21), time_zone="America/New_York")
    capacity_report_email(report=report, findings=[])
    # then it links to the report on SITE_URL
    url = SITE + reverse("routing:ops-capacity-report", args=[report.pk])
    assert url in assert_links_on_site("capacity-report")


# ------------------------------------------------------------------------------
# The suite-wide check itself
# ------------------------------------------------------------------------------
def test_the_suite_check_finds_example_com_anywhere_in_an_email():
    assert example_com_mentions("Go to https://example.com/accounts/confirm/") != []
    assert example_com_mentions("Thank you for using example.com!") != []
    assert example_com_mentions("[portal.example.com] Confirm") != []
    assert example_com_mentions("Hello owner@mail.test, your account") == []
    assert example_com_mentions("Hello owner@example.com, your account") != []
