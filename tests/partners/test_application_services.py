"""Every application transition at service level: happy path (event + email), repeat no-op,
illegal source, permission denied; plus approval creating the Partner."""

import pytest
from django.core import mail

from accounts.roles import Role
from hubdelivery.exceptions import DomainError, InvalidTransition, NotAllowed
from partners.models import (
    ApplicationEvent,
    ApplicationStatus,
    BackgroundCheck,
    Lead,
    LeadSource,
    MemberRole,
    PartnerEvent,
    PartnerStatus,
)
from partners.services import applications as services
from tests.factories import PartnerApplicationFactory

S = ApplicationStatus


def run(name: str, application, *, applicant, reviewer, **extra):
    """Call the service for transition `name` as the right person."""
    calls = {
        "submit": lambda: services.application_submit(application=application, actor=applicant),
        "withdraw": lambda: services.application_withdraw(application=application, actor=applicant),
        "start_review": lambda: services.application_start_review(
            application=application, reviewer=reviewer, **extra
        ),
        "request_info": lambda: services.application_request_info(
            application=application, reviewer=reviewer, message="Send a photo of the lock.", **extra
        ),
        "approve": lambda: services.application_approve(
            application=application, reviewer=reviewer, **extra
        ),
        "reject": lambda: services.application_reject(
            application=application, reviewer=reviewer, reason="No storage.", **extra
        ),
        "waitlist": lambda: services.application_waitlist(
            application=application, reviewer=reviewer, **extra
        ),
    }
    return calls[name]()


# (transition, source status, target status, email subject fragment)
TRANSITIONS = [
    ("submit", S.DRAFT, S.SUBMITTED, "We received your application"),
    ("submit", S.INFO_REQUESTED, S.SUBMITTED, "We received your application"),
    ("start_review", S.SUBMITTED, S.IN_REVIEW, "being reviewed"),
    ("request_info", S.IN_REVIEW, S.INFO_REQUESTED, "more information"),
    ("approve", S.IN_REVIEW, S.APPROVED, "approved"),
    ("reject", S.IN_REVIEW, S.REJECTED, "About your Hub Delivery application"),
    ("waitlist", S.IN_REVIEW, S.WAITLISTED, "waitlist"),
    ("withdraw", S.DRAFT, S.WITHDRAWN, "withdrawn"),
    ("withdraw", S.SUBMITTED, S.WITHDRAWN, "withdrawn"),
    ("withdraw", S.IN_REVIEW, S.WITHDRAWN, "withdrawn"),
    ("withdraw", S.INFO_REQUESTED, S.WITHDRAWN, "withdrawn"),
]

# (transition, a source status it is not allowed from)
ILLEGAL = [
    ("submit", S.APPROVED),
    ("submit", S.IN_REVIEW),
    ("start_review", S.DRAFT),
    ("start_review", S.INFO_REQUESTED),
    ("request_info", S.SUBMITTED),
    ("approve", S.SUBMITTED),
    ("approve", S.REJECTED),
    ("reject", S.DRAFT),
    ("reject", S.APPROVED),
    ("waitlist", S.WITHDRAWN),
    ("withdraw", S.APPROVED),
    ("withdraw", S.REJECTED),
]


@pytest.mark.parametrize(("name", "source", "target", "subject"), TRANSITIONS)
def test_transition_moves_writes_event_and_emails_applicant(
    name, source, target, subject, applicant, reviewer, django_capture_on_commit_callbacks
):
    # given an application in the source state
    application = PartnerApplicationFactory(owner=applicant, status=source, documents=True)
    # when the transition runs and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        result = run(name, application, applicant=applicant, reviewer=reviewer)
    # then the status moved, one event records it, and the applicant got one email
    application.refresh_from_db()
    assert result.status == application.status == target
    event = ApplicationEvent.objects.get(application=application, kind="transition")
    assert (event.from_status, event.to_status) == (source, target)
    assert event.actor == (reviewer if name not in ("submit", "withdraw") else applicant)
    assert event.created is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [applicant.email]
    assert subject.lower() in mail.outbox[0].subject.lower()
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.parametrize(("name", "source", "target", "subject"), TRANSITIONS)
def test_transition_repeat_is_a_noop(
    name, source, target, subject, applicant, reviewer, django_capture_on_commit_callbacks
):
    # given an application already in the target state
    application = PartnerApplicationFactory(owner=applicant, status=target, documents=True)
    # when the transition runs again
    with django_capture_on_commit_callbacks(execute=True):
        result = run(name, application, applicant=applicant, reviewer=reviewer)
    # then nothing changes: no event, no email
    assert result.status == target
    assert not ApplicationEvent.objects.filter(application=application).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(("name", "source"), ILLEGAL)
def test_transition_from_illegal_source_raises(name, source, applicant, reviewer):
    # given an application in a state the transition is not allowed from
    application = PartnerApplicationFactory(owner=applicant, status=source, documents=True)
    # when / then
    with pytest.raises(InvalidTransition):
        run(name, application, applicant=applicant, reviewer=reviewer)
    application.refresh_from_db()
    assert application.status == source
    assert not ApplicationEvent.objects.filter(application=application).exists()


@pytest.mark.parametrize("name", ["start_review", "request_info", "approve", "reject", "waitlist"])
def test_reviewer_transitions_are_denied_to_non_ops(name, applicant, other_applicant):
    # given a submitted application, reviewed by someone who is not ops
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW)
    if name == "start_review":
        application = PartnerApplicationFactory(owner=other_applicant, status=S.SUBMITTED)
    # when / then
    with pytest.raises(NotAllowed):
        run(name, application, applicant=applicant, reviewer=applicant)


@pytest.mark.parametrize("name", ["submit", "withdraw"])
def test_applicant_transitions_are_denied_to_another_applicant(
    name, draft_application, other_applicant
):
    with pytest.raises(NotAllowed):
        run(name, draft_application, applicant=other_applicant, reviewer=None)
    draft_application.refresh_from_db()
    assert draft_application.status == S.DRAFT


def test_a_second_reviewer_with_a_stale_page_gets_a_clear_message(applicant, reviewer, ops_admin):
    # given two reviewers who both saw the application in review
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW)
    services.application_approve(
        application=application, reviewer=reviewer, expected_status=S.IN_REVIEW
    )
    # when the second decides from the same (now stale) page
    with pytest.raises(InvalidTransition, match="Someone else changed this application"):
        services.application_reject(
            application=application,
            reviewer=ops_admin,
            reason="Too far",
            expected_status=S.IN_REVIEW,
        )
    # then the first decision stands, recorded once
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert ApplicationEvent.objects.filter(application=application, kind="transition").count() == 1


def test_the_same_decision_twice_from_a_stale_page_is_not_silent(applicant, reviewer, ops_admin):
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW)
    services.application_waitlist(
        application=application, reviewer=reviewer, expected_status=S.IN_REVIEW
    )
    with pytest.raises(InvalidTransition, match="it is now waitlisted"):
        services.application_waitlist(
            application=application, reviewer=ops_admin, expected_status=S.IN_REVIEW
        )


def test_reject_requires_a_reason(applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW)
    with pytest.raises(DomainError, match="reason"):
        services.application_reject(application=application, reviewer=reviewer, reason="  ")
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_request_info_requires_a_message(applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW)
    with pytest.raises(DomainError):
        services.application_request_info(application=application, reviewer=reviewer, message="")
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_submit_names_every_missing_item(applicant):
    # given a draft with only a name, and no documents
    application = services.application_start(owner=applicant)
    services.application_draft_save(
        application=application, actor=applicant, data={"trade_name": "Petals"}
    )
    # when it is submitted
    with pytest.raises(services.ApplicationIncomplete) as raised:
        services.application_submit(application=application, actor=applicant)
    # then each missing item is named, and the draft stays a draft
    missing = raised.value.missing
    for name in ["legal_name", "ein", "zip_code", "opening_days", "delivery_modes"]:
        assert name in missing
    assert missing["has_secure_storage"] == "A secure storage area is required to take part."
    assert missing["business_licence"] == "Business licence is required to submit."
    assert missing["storage_photo"] == "Photo of the storage area is required to submit."
    assert "trade_name" not in missing
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_submit_requires_secure_storage(applicant):
    application = PartnerApplicationFactory(
        owner=applicant, has_secure_storage=False, documents=True
    )
    with pytest.raises(services.ApplicationIncomplete) as raised:
        services.application_submit(application=application, actor=applicant)
    assert list(raised.value.missing) == ["has_secure_storage"]


def test_submit_geocodes_the_zip_and_notes_the_market(draft_application, applicant):
    services.application_submit(application=draft_application, actor=applicant)
    draft_application.refresh_from_db()
    assert draft_application.market.name == "Boston"
    assert draft_application.latitude == pytest.approx(42.35, abs=0.05)
    assert draft_application.time_zone == "America/New_York"
    assert draft_application.submitted_at is not None


def test_submit_outside_every_market_leaves_market_empty(applicant):
    application = PartnerApplicationFactory(
        owner=applicant, state="ND", zip_code="58102", city="Fargo", documents=True
    )
    services.application_submit(application=application, actor=applicant)
    application.refresh_from_db()
    assert application.market is None


def test_one_application_in_progress_per_owner(applicant, draft_application):
    assert services.application_start(owner=applicant) == draft_application


def test_a_new_application_may_start_after_a_final_one(applicant):
    old = PartnerApplicationFactory(owner=applicant, status=S.REJECTED)
    new = services.application_start(owner=applicant)
    assert new != old
    assert new.status == S.DRAFT


def test_approve_creates_the_partner_in_onboarding(applicant, reviewer):
    # given an application in review
    application = PartnerApplicationFactory(
        owner=applicant,
        status=S.IN_REVIEW,
        daily_capacity=42,
        storage_capacity=70,
        delivery_modes=["bike", "car"],
        zip_code="98103",
        state="WA",
        city="Seattle",
    )
    # when it is approved
    services.application_approve(application=application, reviewer=reviewer)
    # then a partner with its data exists, in onboarding, owned by the applicant
    application.refresh_from_db()
    partner = application.partner
    assert partner.status == PartnerStatus.ONBOARDING
    assert (partner.legal_name, partner.trade_name) == (
        application.legal_name,
        application.trade_name,
    )
    assert (partner.state, partner.zip_code, partner.city) == ("WA", "98103", "Seattle")
    assert partner.time_zone == "America/Los_Angeles"
    assert partner.latitude == pytest.approx(47.67, abs=0.05)
    assert (partner.daily_capacity, partner.storage_capacity) == (42, 70)
    assert partner.delivery_modes == ["bike", "car"]
    assert partner.opening_days == application.opening_days
    assert (partner.opens_at, partner.closes_at) == (application.opens_at, application.closes_at)
    member = partner.members.get()
    assert (member.user, member.role) == (applicant, MemberRole.OWNER)
    assert member.background_check == BackgroundCheck.NOT_STARTED
    applicant.refresh_from_db()
    assert applicant.has_role(Role.PARTNER_OWNER) and applicant.has_role(Role.APPLICANT)
    event = PartnerEvent.objects.get(partner=partner)
    assert (event.kind, event.to_status, event.actor) == ("created", "onboarding", reviewer)


def test_approve_refuses_an_applicant_who_already_works_for_a_partner(partner_staff, reviewer):
    application = PartnerApplicationFactory(owner=partner_staff, status=S.IN_REVIEW)
    with pytest.raises(DomainError, match="already works for a partner"):
        services.application_approve(application=application, reviewer=reviewer)
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert application.partner is None


def test_waitlist_keeps_the_applicant_as_a_lead(applicant, reviewer):
    application = PartnerApplicationFactory(
        owner=applicant, status=S.IN_REVIEW, state="CO", zip_code="80202", city="Denver"
    )
    services.application_waitlist(application=application, reviewer=reviewer)
    lead = Lead.objects.get()
    assert (lead.email, lead.zip_code, lead.state) == (applicant.email, "80202", "CO")
    assert lead.source == LeadSource.WAITLISTED_APPLICATION
    assert lead.application == application


def test_request_info_then_resubmit_keeps_the_question_in_the_timeline(applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, status=S.IN_REVIEW, documents=True)
    services.application_request_info(
        application=application, reviewer=reviewer, message="Which lock do you use?"
    )
    services.application_submit(application=application, actor=applicant)
    statuses = list(
        ApplicationEvent.objects.filter(application=application).values_list("to_status", "reason")
    )
    assert statuses == [
        (S.INFO_REQUESTED, "Which lock do you use?"),
        (S.SUBMITTED, "Resubmitted with the information asked for"),
    ]


def test_assign_to_me_changes_the_reviewer_and_is_audited(applicant, reviewer, ops_admin):
    application = PartnerApplicationFactory(
        owner=applicant, status=S.IN_REVIEW, assigned_reviewer=reviewer
    )
    services.application_assign(application=application, reviewer=ops_admin)
    services.application_assign(application=application, reviewer=ops_admin)
    application.refresh_from_db()
    assert application.assigned_reviewer == ops_admin
    assert ApplicationEvent.objects.filter(application=application, kind="assigned").count() == 1


def test_take_starts_the_review_of_a_submitted_application(applicant, reviewer):
    # given a submitted application
    application = PartnerApplicationFactory(owner=applicant, status=S.SUBMITTED)
    # when a reviewer takes it, twice
    services.application_take(application=application, reviewer=reviewer)
    services.application_take(application=application, reviewer=reviewer)
    # then its review started with them, once
    application.refresh_from_db()
    assert (application.status, application.assigned_reviewer) == (S.IN_REVIEW, reviewer)
    events = ApplicationEvent.objects.filter(application=application)
    assert list(events.values_list("kind", "to_status")) == [("transition", S.IN_REVIEW)]


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.INFO_REQUESTED])
def test_take_moves_an_application_under_review_to_the_reviewer_keeping_its_status(
    status, applicant, reviewer, ops_admin
):
    # given an application another reviewer has
    application = PartnerApplicationFactory(
        owner=applicant, status=status, assigned_reviewer=reviewer
    )
    # when ops_admin takes it
    services.application_take(application=application, reviewer=ops_admin)
    # then it is theirs, in the same status, and the take-over is audited
    application.refresh_from_db()
    assert (application.status, application.assigned_reviewer) == (status, ops_admin)
    assert list(application.events.values_list("kind", flat=True)) == ["assigned"]


@pytest.mark.parametrize("status", [S.DRAFT, S.APPROVED, S.WITHDRAWN])
def test_take_is_refused_for_an_application_not_waiting_for_a_decision(status, applicant, reviewer):
    application = PartnerApplicationFactory(owner=applicant, status=status)
    with pytest.raises(InvalidTransition):
        services.application_take(application=application, reviewer=reviewer)
    assert not application.events.exists()


def test_take_is_denied_to_non_ops(applicant, other_applicant):
    application = PartnerApplicationFactory(owner=other_applicant, status=S.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.application_take(application=application, reviewer=applicant)
    application.refresh_from_db()
    assert (application.status, application.assigned_reviewer) == (S.SUBMITTED, None)


def test_draft_save_is_refused_once_submitted(applicant):
    application = PartnerApplicationFactory(owner=applicant, status=S.SUBMITTED)
    with pytest.raises(InvalidTransition):
        services.application_draft_save(
            application=application, actor=applicant, data={"trade_name": "New"}
        )
