"""The installable phone app (issue 19): the web manifests, the service worker at /sw.js, and
which pages carry them (partner and driver pages only; ops and applicants never)."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from packages.services.sync import SYNC_TYPES
from packages.views.offline import ACTION_PATTERNS, PAGE_PATTERNS, SHELL_FILES
from tests.conftest import client_for
from tests.test_security_headers import directives

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "start_url"), [("partner", "/today/"), ("driver", "/driver/")])
def test_each_role_has_a_manifest_of_an_installable_app(client, role, start_url):
    # when the browser fetches the manifest (it sends no log-in cookie)
    response = client.get(reverse("packages:app-manifest", args=[role]))
    # then it is an installable app starting on the role's page, with PNG and maskable icons
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == start_url
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#084582"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_an_unknown_app_has_no_manifest(client):
    assert client.get(reverse("packages:app-manifest", args=["ops"])).status_code == 404


def test_the_service_worker_is_served_from_the_root_never_cached(client):
    # when the browser fetches the worker
    response = client.get("/sw.js")
    # then it may control the whole site, is never taken from the HTTP cache, and runs
    # under the same strict policy as every page (scripts from our own origin only)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    body = response.content.decode()
    assert 'importScripts("/static/vendor/idb/umd.js", "/static/js/outbox-core.js")' in body
    for name in SHELL_FILES:
        assert finders.find(name), name


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/today/", True),
        ("/handoffs/12/", True),
        ("/packages/TBA123/", True),
        ("/driver/", True),
        ("/ops/packages/TBA123/", False),
        ("/ops/handoffs/12/", False),
        ("/packages/TBA123/deliver/", False),
        ("/partner/earnings/", False),
        ("/photos/3/", False),
    ],
)
def test_only_the_phone_pages_are_kept_offline(path, kept):
    assert any(re.search(pattern, path) for pattern in PAGE_PATTERNS) is kept


def phone_app_of(user, url):
    return client_for(user).get(url).context["phone_app"]


def test_partner_and_driver_pages_link_the_app(partner_owner, partner_staff, dsp_driver):
    # when a partner member or a driver opens their home
    owner_app = phone_app_of(partner_owner, reverse("partners:partner-home"))
    staff_page = client_for(partner_staff).get(reverse("partners:partner-home"))
    driver_page = client_for(dsp_driver).get(reverse("packages:driver-home"))
    # then the page links the role's manifest and starts the worker and the outbox
    assert owner_app["role"] == "partner" and owner_app["user_id"] == partner_owner.pk
    for page, role in ((staff_page, "partner"), (driver_page, "driver")):
        html = page.content.decode()
        assert f'<link rel="manifest" href="/manifest/{role}.webmanifest">' in html
        assert 'data-phone-worker="/sw.js"' in html
        assert "js/outbox.js" in html
        assert 'id="outbox-banner"' in html


def test_ops_applicants_and_visitors_get_no_app(client, reviewer, applicant):
    # when ops, an applicant and an anonymous visitor open their pages
    pages = [
        client_for(reviewer).get(reverse("partners:ops-home")),
        client_for(applicant).get(reverse("partners:applicant-home")),
        client.get(reverse("partners:landing")),
    ]
    # then no page registers the worker, links a manifest or loads the outbox
    for page in pages:
        html = page.content.decode()
        assert page.context["phone_app"] is None
        assert 'rel="manifest"' not in html and "outbox.js" not in html


def test_the_today_page_carries_the_offline_deliver_panel(partner_owner, received):
    # when the partner opens the day
    html = client_for(partner_owner).get(reverse("packages:today")).content.decode()
    # then each row names its package for the outbox, and the panel outbox.js fills in
    # without a connection posts to the same URLs as the server's panel
    assert f'data-tracking-id="{received.tracking_id}"' in html
    assert '<template id="offline-deliver-panel">' in html
    assert 'action="/packages/__TRACKING__/deliver/"' in html
    assert 'data-outbox="attempted"' in html


@pytest.mark.parametrize(
    ("url_name", "args", "kind"),
    [
        ("packages:package-deliver", ["TBA1"], "delivered"),
        ("packages:package-attempt", ["TBA1"], "attempted"),
        ("packages:package-undo", ["TBA1"], "delivery_undone"),
        ("packages:handoff-confirm", [12], "handoff_confirm"),
        ("packages:day-close", [], "day_close"),
    ],
)
def test_the_worker_keeps_each_page_form_under_its_outbox_type(url_name, args, kind):
    # given the URL the page's form posts to
    path = reverse(url_name, args=args)
    # then exactly one of the worker's patterns names it, with the outbox type the API takes
    found = [(t, re.search(p, path)) for p, t, _ in ACTION_PATTERNS if re.search(p, path)]
    assert [t for t, _ in found] == [kind]
    assert kind in SYNC_TYPES
    if args:
        assert found[0][1].group(1) == str(args[0])


def test_the_today_page_tells_the_outbox_where_each_action_moves_a_package(partner_owner, received):
    # when the partner opens the day
    response = client_for(partner_owner).get(reverse("packages:today"))
    html = response.content.decode()
    # then each row carries its summary bucket and whether the end of day keeps it, and the
    # page the bucket each outbox action leaves a package in (the services' own statuses)
    assert (
        f'data-tracking-id="{received.tracking_id}" data-bucket="open" data-kept-at-day-close'
        in html
    )
    found = re.search(r'<script id="outbox-buckets" type="application/json">(.*?)</script>', html)
    assert json.loads(found.group(1)) == {
        "delivered": "delivered",
        "attempted": "incident",
        "delivery_undone": "open",
        "day_close": "queued_for_return",
    }
    assert set(json.loads(found.group(1))) <= set(SYNC_TYPES)
    assert 'data-summary="delivered"' in html and 'data-summary="open"' in html


def test_the_handoff_page_names_its_counters_and_scanned_labels_for_the_outbox(
    partner_owner, drop_off, received
):
    # when the partner opens the drop-off with one label scanned
    page = client_for(partner_owner).get(reverse("packages:handoff", args=[drop_off.pk]))
    html = page.content.decode()
    tracking_id = received.tracking_id
    # then outbox.js finds each counter by name and each scanned label with its outcome
    for name in ("expected", "received", "missing", "damaged", "unexpected", "scanned"):
        assert f'data-count="{name}"' in html
    assert f'data-scanned="{tracking_id}" data-outcome="received"' in html
