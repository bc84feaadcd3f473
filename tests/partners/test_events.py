"""Partner and application events: kinds are choices, every row is written through
partners/events.py, and histories show each kind's label."""

import pathlib
import re

from django.urls import reverse

from partners.models import (
    ApplicationEvent,
    ApplicationEventKind,
    BackgroundCheck,
    PartnerEvent,
    PartnerEventKind,
)
from partners.services import applications, partners, staff
from tests.conftest import client_for

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "migrations", "node_modules", "staticfiles", "media"}
DIRECT_WRITE = re.compile(
    r"\b(ApplicationEvent|PartnerEvent|HolidayEvent)\.objects\.(create|bulk_create)\b"
)


def app_modules() -> list[pathlib.Path]:
    return [path for path in ROOT.rglob("*.py") if not SKIPPED & set(path.relative_to(ROOT).parts)]


def test_no_module_but_partners_events_writes_partner_or_application_events():
    # given every module of the project outside tests and migrations
    # when they are searched for direct writes of event rows
    writers = {
        str(path.relative_to(ROOT))
        for path in app_modules()
        if DIRECT_WRITE.search(path.read_text(encoding="utf-8"))
    }
    # then only partners/events.py writes them
    assert writers == {"partners/events.py"}


def test_every_event_a_partner_lifecycle_writes_has_a_kind_from_the_choices(
    partner, partner_staff, reviewer
):
    # given a member who consents and gets a result, then is removed
    partner_staff.memberships.update(background_check=BackgroundCheck.NOT_STARTED)
    member = partner_staff.memberships.get()
    staff.background_consent_record(member=member, actor=partner_staff)
    staff.background_result_record(member=member, actor=reviewer, result=BackgroundCheck.CLEAR)
    staff.staff_remove(member=member, actor=partner.owner)
    # when the partner's events are read
    kinds = list(PartnerEvent.objects.filter(partner=partner).values_list("kind", flat=True))
    # then each is a declared kind
    assert kinds == [
        PartnerEventKind.BACKGROUND_CONSENT,
        PartnerEventKind.BACKGROUND_RESULT,
        PartnerEventKind.STAFF_REMOVED,
    ]


def test_the_ops_partner_history_shows_readable_labels(partner, partner_staff, reviewer):
    # given a background check result on record
    partner_staff.memberships.update(background_check=BackgroundCheck.NOT_STARTED)
    member = partner_staff.memberships.get()
    staff.background_consent_record(member=member, actor=partner_staff)
    staff.background_result_record(member=member, actor=reviewer, result=BackgroundCheck.CLEAR)
    partners.partner_pause(partner=partner, actor=reviewer, reason="Vacation")
    # when ops open the partner's page
    url = reverse("partners:ops-partner-detail", args=[partner.pk])
    page = client_for(reviewer).get(url).content.decode()
    # then the history names the kinds in words
    assert "Background check result" in page
    assert "Background check consent" in page
    assert "Backgroundresult" not in page
    assert "(Active → Paused)" in page


def test_the_review_timeline_shows_readable_labels(
    draft_application, applicant, reviewer, ops_admin
):
    # given a submitted application that one reviewer took and another took over
    applications.application_submit(application=draft_application, actor=applicant)
    applications.application_take(application=draft_application, reviewer=reviewer)
    applications.application_take(application=draft_application, reviewer=ops_admin)
    # when ops open it
    url = reverse("partners:review-detail", args=[draft_application.pk])
    page = client_for(reviewer).get(url).content.decode()
    # then the take-over is named in words, not by its code
    assert str(ApplicationEventKind.ASSIGNED.label) in page
    kinds = list(ApplicationEvent.objects.values_list("kind", flat=True))
    assert kinds == [
        ApplicationEventKind.TRANSITION,
        ApplicationEventKind.TRANSITION,
        ApplicationEventKind.ASSIGNED,
    ]
