"""The ops review pages through HTTP: access, queue filters/sort/pagination/aging, constant
query count, detail, assign to me, decisions with their emails, concurrent decisions, notes
and the waitlist demand page."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from hubdelivery.exceptions import InvalidTransition
from partners.models import (
    ApplicationEvent,
    ApplicationNote,
    ApplicationStatus,
    Market,
    PartnerApplication,
    PartnerStatus,
)
from partners.selectors.applications import business_days_between, overdue_cutoff
from partners.services import applications as services
from tests.conftest import client_for
from tests.factories import LeadFactory, PartnerApplicationFactory, UserFactory

S = ApplicationStatus


@pytest.fixture
def ops_client(reviewer):
    return client_for(reviewer)


@pytest.fixture
def in_review(applicant, reviewer):
    return PartnerApplicationFactory(
        owner=applicant,
        status=S.IN_REVIEW,
        assigned_reviewer=reviewer,
        documents=True,
        latitude=42.35,
        longitude=-71.07,
    )


def detail_url(application) -> str:
    return reverse("partners:review-detail", args=[application.pk])


def decide(client, application, decision, reason="", expected=None):
    return client.post(
        reverse("partners:review-decide", args=[application.pk]),
        {"decision": decision, "reason": reason, "expected_status": expected or application.status},
        follow=True,
    )


# ------------------------------------------------------------------------------
# Access
# ------------------------------------------------------------------------------
def ops_urls(application) -> list[tuple[str, str]]:
    return [
        ("get", reverse("partners:review-queue")),
        ("get", detail_url(application)),
        ("post", reverse("partners:review-assign", args=[application.pk])),
        ("post", reverse("partners:review-decide", args=[application.pk])),
        ("post", reverse("partners:review-note-add", args=[application.pk])),
        ("get", reverse("partners:waitlist-demand")),
    ]


def test_ops_pages_send_anonymous_users_to_log_in(client, in_review):
    for method, url in ops_urls(in_review):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_ops_pages_are_403_for_applicants_partners_and_drivers(
    in_review, applicant, partner_owner, partner_staff, dsp_driver
):
    for user in (applicant, partner_owner, partner_staff, dsp_driver):
        client = client_for(user)
        for method, url in ops_urls(in_review):
            assert getattr(client, method)(url).status_code == 403, (user, url)
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


def test_drafts_are_not_visible_to_ops(ops_client, draft_application):
    assert ops_client.get(detail_url(draft_application)).status_code == 404
    queue = ops_client.get(reverse("partners:review-queue"), {"status": "draft"})
    assert draft_application.trade_name not in queue.content.decode()


# ------------------------------------------------------------------------------
# Queue
# ------------------------------------------------------------------------------
def test_queue_filters_by_state_market_type_status_and_mine(ops_client, reviewer):
    boston = PartnerApplicationFactory(
        status=S.SUBMITTED, trade_name="Boston Blooms", market=Market.objects.get(name="Boston")
    )
    fargo = PartnerApplicationFactory(
        status=S.IN_REVIEW,
        trade_name="Fargo Cafe",
        business_type="coffee_shop",
        state="ND",
        zip_code="58102",
        assigned_reviewer=reviewer,
    )
    approved = PartnerApplicationFactory(status=S.APPROVED, trade_name="Done Deli")

    def names(**params) -> set[str]:
        page = ops_client.get(reverse("partners:review-queue"), params).context["page"]
        return {a.trade_name for a in page.object_list}

    assert names() == {"Boston Blooms", "Fargo Cafe"}  # waiting ones by default
    assert names(state="ND") == {"Fargo Cafe"}
    assert names(market=boston.market_id) == {"Boston Blooms"}
    assert names(business_type="coffee_shop") == {"Fargo Cafe"}
    assert names(status="approved") == {approved.trade_name}
    assert names(mine="on") == {fargo.trade_name}


def test_queue_sorts_and_paginates(ops_client):
    now = datetime.datetime.now(datetime.UTC)
    for day in range(30):
        PartnerApplicationFactory(
            status=S.SUBMITTED,
            trade_name=f"Shop {day:02}",
            submitted_at=now - datetime.timedelta(days=day),
        )
    first = ops_client.get(reverse("partners:review-queue")).context["page"]
    assert first.paginator.count == 30 and len(first.object_list) == 25
    assert first.object_list[0].trade_name == "Shop 29"  # oldest first
    newest = ops_client.get(reverse("partners:review-queue"), {"sort": "newest", "page": 2})
    assert [a.trade_name for a in newest.context["page"].object_list] == [
        f"Shop {d:02}" for d in range(25, 30)
    ]
    assert "page=2" in ops_client.get(reverse("partners:review-queue")).content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC), tick=False)
def test_aging_badge_after_three_business_days(ops_client):
    # given Friday 20 Nov 2026: one submitted Monday (4 business days), one Tuesday (3)
    PartnerApplicationFactory(
        status=S.SUBMITTED,
        trade_name="Old Shop",
        submitted_at=datetime.datetime(2026, 11, 16, 9, tzinfo=datetime.UTC),
    )
    PartnerApplicationFactory(
        status=S.SUBMITTED,
        trade_name="New Shop",
        submitted_at=datetime.datetime(2026, 11, 17, 9, tzinfo=datetime.UTC),
    )
    # when ops open the queue
    response = ops_client.get(reverse("partners:review-queue"))
    # then only the older one is flagged, and the age filter finds only it
    rows = {a.trade_name: a.is_overdue for a in response.context["page"].object_list}
    assert rows == {"Old Shop": True, "New Shop": False}
    assert response.content.decode().count("Over 3 days") == 1
    overdue = ops_client.get(reverse("partners:review-queue"), {"age": "overdue"})
    assert [a.trade_name for a in overdue.context["page"].object_list] == ["Old Shop"]


def test_business_days_skip_weekends_and_holidays():
    # Wed 25 Nov 2026 -> Mon 30 Nov: Thanksgiving (26th) and the weekend do not count
    assert business_days_between(datetime.date(2026, 11, 25), datetime.date(2026, 11, 30)) == 2
    assert overdue_cutoff(today=datetime.date(2026, 11, 20), business_days=3) == datetime.date(
        2026, 11, 16
    )


def _bulk_applications(count: int) -> None:
    """Applications with distinct owners and reviewers, written in bulk for speed."""
    users = User.objects.bulk_create(
        [User(email=f"bulk{count}-{i}@mail.test") for i in range(count)]
    )
    boston = Market.objects.get(name="Boston")
    now = datetime.datetime.now(datetime.UTC)
    PartnerApplication.objects.bulk_create(
        [
            PartnerApplication(
                owner=user,
                status=S.IN_REVIEW if i % 2 else S.SUBMITTED,
                trade_name=f"Shop {i}",
                state="MA",
                zip_code="02116",
                market=boston,
                assigned_reviewer=users[(i + 1) % count],
                submitted_at=now - datetime.timedelta(days=i % 9),
            )
            for i, user in enumerate(users)
        ]
    )


def queue_queries(client, count: int, assert_max_num_queries) -> int:
    PartnerApplication.objects.all().delete()
    _bulk_applications(count)
    # Session, user, roles, markets for the filter, page count, the page with owners,
    # markets, reviewers and document counts joined: nothing per row.
    with assert_max_num_queries(6) as captured:
        response = client.get(reverse("partners:review-queue"), {"sort": "name"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)
    return len(captured)


def test_queue_renders_in_a_constant_number_of_queries(ops_client, django_assert_max_num_queries):
    twenty = queue_queries(ops_client, 20, django_assert_max_num_queries)
    two_hundred = queue_queries(ops_client, 200, django_assert_max_num_queries)
    assert twenty == two_hundred


# ------------------------------------------------------------------------------
# Detail, assign, notes
# ------------------------------------------------------------------------------
def test_detail_shows_documents_map_timeline_and_notes(ops_client, in_review, reviewer):
    ApplicationNote.objects.create(application=in_review, author=reviewer, body="Called owner.")
    html = ops_client.get(detail_url(in_review)).content.decode()
    for document in in_review.documents.all():
        assert reverse("partners:document-download", args=[document.pk]) in html
    assert 'id="map"' in html and 'data-lat="42.350000"' in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "https://tile.openstreetmap.org" in html
    assert "centroid: 42.3500" in html  # readable without tiles or JavaScript
    assert "Called owner." in html
    assert "Record the decision" in html


def test_detail_without_tiles_still_shows_the_location(ops_client, in_review, settings):
    settings.MAP_TILE_URL = ""
    html = ops_client.get(detail_url(in_review)).content.decode()
    assert 'data-tiles=""' in html
    assert "centroid: 42.3500" in html


def test_assign_to_me_starts_the_review_of_a_submitted_application(
    ops_client, reviewer, applicant, django_capture_on_commit_callbacks
):
    application = PartnerApplicationFactory(owner=applicant, status=S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = ops_client.post(
            reverse("partners:review-assign", args=[application.pk]), follow=True
        )
    assert "Assigned to you." in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.assigned_reviewer) == (S.IN_REVIEW, reviewer)
    assert mail.outbox[0].to == [applicant.email]


def test_assign_to_me_takes_over_an_application_in_review(in_review, ops_admin):
    client_for(ops_admin).post(reverse("partners:review-assign", args=[in_review.pk]))
    in_review.refresh_from_db()
    assert in_review.assigned_reviewer == ops_admin


def test_assign_to_me_on_a_decided_application_is_refused_with_a_message(ops_client, applicant):
    # given an approved application
    application = PartnerApplicationFactory(
        owner=applicant, status=S.APPROVED, submitted_at=timezone.now()
    )
    # when a reviewer asks to have it assigned
    response = ops_client.post(reverse("partners:review-assign", args=[application.pk]))
    # then the page says why, as a conflict, and nothing changed
    assert response.status_code == 409
    assert "waiting for a decision" in response.content.decode()
    assert not application.events.exists()


def test_add_note_and_empty_note_message(ops_client, in_review, reviewer):
    url = reverse("partners:review-note-add", args=[in_review.pk])
    ops_client.post(url, {"body": "Storage photo looks fine."})
    assert ApplicationNote.objects.get().author == reviewer
    response = ops_client.post(url, {"body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


# ------------------------------------------------------------------------------
# Decisions
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decision", "reason", "status", "subject"),
    [
        ("approve", "", S.APPROVED, "approved"),
        ("reject", "No lockable storage.", S.REJECTED, "About your"),
        ("waitlist", "", S.WAITLISTED, "waitlist"),
        ("request_info", "Which lock?", S.INFO_REQUESTED, "more information"),
    ],
)
def test_each_decision_changes_status_and_emails(
    ops_client, in_review, applicant, decision, reason, status, subject,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(ops_client, in_review, decision, reason)
    assert "Decision recorded" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == status
    assert len(mail.outbox) == 1 and subject in mail.outbox[0].subject
    if reason:
        assert reason in mail.outbox[0].body


def test_approve_over_http_creates_the_partner(ops_client, in_review):
    decide(ops_client, in_review, "approve")
    in_review.refresh_from_db()
    assert in_review.partner.status == PartnerStatus.ONBOARDING


def test_an_approved_application_links_to_its_partner_for_ops_and_the_applicant(
    ops_client, in_review
):
    decide(ops_client, in_review, "approve")
    in_review.refresh_from_db()
    partner_url = reverse("partners:ops-partner-detail", args=[in_review.partner.pk])
    assert f'href="{partner_url}"' in ops_client.get(detail_url(in_review)).content.decode()
    applicant_page = client_for(in_review.owner).get(reverse("partners:applicant-home"))
    assert f'href="{reverse("partners:partner-home")}"' in applicant_page.content.decode()


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("reject", "Give the reason for rejecting"),
        ("request_info", "Write what the applicant should add or change."),
    ],
)
def test_reject_and_request_info_require_text(ops_client, in_review, decision, message):
    response = ops_client.post(
        reverse("partners:review-decide", args=[in_review.pk]),
        {"decision": decision, "reason": " ", "expected_status": "in_review"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


def test_deciding_a_submitted_application_shows_a_message_not_an_error(ops_client, applicant):
    application = PartnerApplicationFactory(owner=applicant, status=S.SUBMITTED)
    response = decide(ops_client, application, "approve")
    assert response.status_code == 409
    assert "cannot become approved" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_the_second_of_two_reviewers_gets_a_clear_message(in_review, reviewer, ops_admin):
    # given two reviewers with the same page open
    first, second = client_for(reviewer), client_for(ops_admin)
    # when both decide
    decide(first, in_review, "approve", expected="in_review")
    response = decide(second, in_review, "reject", "No.", expected="in_review")
    # then the second is told, and the first decision stands
    assert response.status_code == 409
    assert "Someone else changed this application meanwhile" in response.content.decode()
    assert "Decided: Approved" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == S.APPROVED
    assert in_review.events.filter(kind="transition").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_postgresql_let_exactly_one_win():
    # given an application in review and two reviewers
    owner = UserFactory(roles=[Role.APPLICANT])
    application = PartnerApplicationFactory(owner=owner, status=S.IN_REVIEW)
    reviewers = [UserFactory(roles=[Role.OPS_REVIEWER]) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def decide_in_thread(reviewer, service, **kwargs) -> None:
        barrier.wait()
        try:
            service(
                application=application, reviewer=reviewer, expected_status=S.IN_REVIEW, **kwargs
            )
            outcomes.append("decided")
        except InvalidTransition:
            outcomes.append("told")
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=decide_in_thread, args=(reviewers[0], services.application_approve)
        ),
        threading.Thread(
            target=decide_in_thread,
            args=(reviewers[1], services.application_reject),
            kwargs={"reason": "No."},
        ),
    ]
    # when both decide at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one decision is recorded and the other reviewer is told
    assert sorted(outcomes) == ["decided", "told"]
    application.refresh_from_db()
    assert application.status in (S.APPROVED, S.REJECTED)
    assert application.events.filter(kind="transition").count() == 1


# ------------------------------------------------------------------------------
# Waitlist demand
# ------------------------------------------------------------------------------
def test_waitlist_demand_ranks_by_count(ops_client):
    for i in range(3):
        LeadFactory(email=f"den{i}@mail.test", zip_code="80202", state="CO")
    LeadFactory(email="austin@mail.test", zip_code="78701", state="TX")
    response = ops_client.get(reverse("partners:waitlist-demand"))
    by_state = [(row.state, row.leads) for row in response.context["by_state"]]
    assert by_state == [("CO", 3), ("TX", 1)]
    by_zip = [(row.zip_code, row.leads) for row in response.context["by_zip"]]
    assert by_zip[0] == ("80202", 3)
    assert "Colorado" in response.content.decode()


def test_a_draft_withdrawn_before_submitting_stays_private(ops_client, applicant):
    application = PartnerApplicationFactory(owner=applicant, status=S.DRAFT)
    services.application_withdraw(application=application, actor=applicant)
    assert ops_client.get(detail_url(application)).status_code == 404
    queue = ops_client.get(reverse("partners:review-queue"), {"status": "withdrawn"})
    assert queue.context["page"].paginator.count == 0


def test_resubmitted_application_returns_to_its_reviewer_queue_in_review(
    ops_client, in_review, reviewer
):
    # given the reviewer asked for information and the applicant resubmitted
    decide(ops_client, in_review, "request_info", reason="Add the lock.")
    in_review.refresh_from_db()
    services.application_submit(application=in_review, actor=in_review.owner)
    in_review.refresh_from_db()
    # then it is back in review with the same reviewer, in their queue, one audited move
    assert (in_review.status, in_review.assigned_reviewer) == (S.IN_REVIEW, reviewer)
    event = ApplicationEvent.objects.filter(application=in_review).latest("pk")
    assert (event.from_status, event.to_status) == (S.INFO_REQUESTED, S.IN_REVIEW)
    queue = ops_client.get(reverse("partners:review-queue"), {"status": "in_review", "mine": "on"})
    assert in_review in list(queue.context["page"].object_list)
    assert "Record the decision" in ops_client.get(detail_url(in_review)).content.decode()
