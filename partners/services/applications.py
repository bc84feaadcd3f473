"""The partner application's life: draft, documents, and one function per transition.

Every transition (1) locks the application row, (2) returns unchanged when it is already in
the target state, (3) raises InvalidTransition from a state that does not allow it,
(4) saves, (5) writes an ApplicationEvent and (6) emails the applicant after commit.

Reviewer-side transitions take `expected_status`: the status the reviewer saw on the page.
When someone else changed the application meanwhile, the second reviewer gets a message
instead of silently deciding (or silently doing nothing).
"""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.access import ops_require
from accounts.emails import email_send_templated
from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from hubdelivery.exceptions import DomainError, InvalidTransition
from hubdelivery.lib.urls import absolute_url
from hubdelivery.lib.zipdata import zip_lookup
from partners.access import applicant_require
from partners.events import application_event_record, partner_event_record
from partners.models import (
    APPLICATION_EDITABLE_STATUSES,
    APPLICATION_OPEN_STATUSES,
    APPLICATION_TRANSITIONS,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationNote,
    ApplicationStatus,
    BusinessType,
    DocumentKind,
    LeadSource,
    MemberRole,
    Partner,
    PartnerApplication,
    PartnerEventKind,
    PartnerMember,
    PartnerStatus,
)
from partners.selectors.partners import membership_current_for
from partners.selectors.recruiting import market_covering
from partners.services.recruiting import lead_join

# Fields the applicant fills in on the form (the draft saves any subset of them).
APPLICATION_FORM_FIELDS = [
    "legal_name",
    "trade_name",
    "business_type",
    "business_type_other",
    "ein",
    "years_in_business",
    "owner_name",
    "owner_phone",
    "address_line",
    "city",
    "state",
    "zip_code",
    "opening_days",
    "opens_at",
    "closes_at",
    "has_secure_storage",
    "storage_description",
    "storage_capacity",
    "delivery_modes",
    "daily_capacity",
    "staff_count",
    "terms_accepted",
]
# Fields that must be filled in to submit, in form order.
APPLICATION_REQUIRED_FIELDS = [f for f in APPLICATION_FORM_FIELDS if f != "business_type_other"]
# Event reasons are stored in English (the audit record) and translated when shown: pages
# pass them through `{% translate %}`, so each is marked here with gettext_noop.
RESUBMITTED_REASON = gettext_noop("Resubmitted with the information asked for")
DOCUMENT_UPLOADED_REASONS = {
    DocumentKind.BUSINESS_LICENCE: gettext_noop("Business licence uploaded"),
    DocumentKind.STORAGE_PHOTO: gettext_noop("Photo of the storage area uploaded"),
}


class ApplicationIncomplete(DomainError):
    """Submit was asked of an application with missing items; `missing` maps each field (or
    document kind) to a message naming it."""

    def __init__(self, missing: dict[str, str]) -> None:
        self.missing = missing
        super().__init__(
            gettext("Some required items are missing: %(items)s")
            % {"items": "; ".join(str(message) for message in missing.values())}
        )


# ------------------------------------------------------------------------------
# Helpers shared by the transitions
# ------------------------------------------------------------------------------
def _lock(application: PartnerApplication) -> PartnerApplication:
    """Re-read the application with its row locked until the transaction ends."""
    return (
        PartnerApplication.objects.select_for_update()
        .select_related("owner")
        .get(pk=application.pk)
    )


def _needs_transition(
    *, application: PartnerApplication, to_status: str, expected_status: str | None = None
) -> bool:
    """Call while holding the row lock. False when the application is already in
    `to_status` (a repeat); raises when the transition is not allowed."""
    current = application.status
    if expected_status is not None and current != expected_status:
        label = ApplicationStatus(current).label.lower()
        raise InvalidTransition(
            gettext(
                "Someone else changed this application meanwhile: it is now %(status)s. "
                "Nothing was changed; reload to see the latest."
            )
            % {"status": label}
        )
    if current == to_status:
        return False
    if to_status not in APPLICATION_TRANSITIONS[current]:
        raise InvalidTransition(
            gettext("An application that is %(current)s cannot become %(target)s.")
            % {
                "current": ApplicationStatus(current).label.lower(),
                "target": ApplicationStatus(to_status).label.lower(),
            }
        )
    return True


REVIEWERS_ONLY = _("Only ops reviewers may review applications.")


def _record(
    *, application: PartnerApplication, from_status: str, actor: User | None, reason: str = ""
) -> ApplicationEvent:
    """Write the transition's event and email the applicant (sent after commit)."""
    event = application_event_record(
        application=application,
        actor=actor,
        kind=ApplicationEventKind.TRANSITION,
        from_status=from_status,
        reason=reason,
    )
    email_send_templated(
        template=f"application-{application.status.replace('_', '-')}",
        to=application.owner.email,
        context={
            "application": application,
            "status_label": application.get_status_display(),
            "reason": reason,
            "home_url": absolute_url(reverse("partners:applicant-home")),
        },
    )
    return event


def _move(
    *,
    application: PartnerApplication,
    to_status: str,
    actor: User,
    reason: str = "",
    update_fields: list[str] | None = None,
) -> None:
    """Set the status, save it with `update_fields`, record the event and the email."""
    from_status = application.status
    application.status = to_status
    application.save(update_fields=["status", "updated", *(update_fields or [])])
    _record(application=application, from_status=from_status, actor=actor, reason=reason)


# ------------------------------------------------------------------------------
# The applicant's side
# ------------------------------------------------------------------------------
@transaction.atomic
def application_start(*, owner: User, zip_code: str = "") -> PartnerApplication:
    """The owner's application in progress, or a new draft when they have none (with the
    place of `zip_code` filled in when it is a known ZIP)."""
    existing = (
        PartnerApplication.objects.select_for_update()
        .filter(owner=owner, status__in=APPLICATION_OPEN_STATUSES)
        .first()
    )
    if existing is not None:
        return existing
    place = zip_lookup(zip_code) if zip_code else None
    application = PartnerApplication.objects.create(
        owner=owner,
        owner_name=owner.full_name,
        status=ApplicationStatus.DRAFT,
        zip_code=place.zip_code if place else "",
        state=place.state if place else "",
        city=place.city if place else "",
    )
    application_event_record(
        application=application, actor=owner, kind=ApplicationEventKind.CREATED, from_status=""
    )
    return application


@transaction.atomic
def application_draft_save(
    *, application: PartnerApplication, actor: User, data: dict[str, Any]
) -> PartnerApplication:
    """Save what the applicant typed (any subset of APPLICATION_FORM_FIELDS)."""
    application = _lock(application)
    applicant_require(actor=actor, application=application)
    if application.status not in APPLICATION_EDITABLE_STATUSES:
        raise InvalidTransition(gettext("This application can no longer be edited."))
    fields = [name for name in APPLICATION_FORM_FIELDS if name in data]
    for name in fields:
        setattr(application, name, data[name])
    application.save(update_fields=[*fields, "updated"])
    return application


@transaction.atomic
def application_document_attach(
    *,
    application: PartnerApplication,
    actor: User,
    kind: DocumentKind,
    upload: UploadedFile,
    content_type: str,
) -> ApplicationDocument:
    """Store the upload (already checked by content and size) as the application's document
    of this kind, replacing an earlier one. The old file is deleted after commit."""
    application = _lock(application)
    applicant_require(actor=actor, application=application)
    if application.status not in APPLICATION_EDITABLE_STATUSES:
        raise InvalidTransition(gettext("This application can no longer be edited."))
    previous = ApplicationDocument.objects.filter(application=application, kind=kind).first()
    if previous is not None:
        old_file = previous.file
        previous.delete()
        transaction.on_commit(lambda: old_file.delete(save=False))
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=(upload.name or "document")[-200:],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    # The random storage name depends on content_type, so set it before the file.
    document.file.save("upload", upload, save=False)
    document.save()
    application_event_record(
        application=application,
        actor=actor,
        kind=ApplicationEventKind.DOCUMENT,
        reason=DOCUMENT_UPLOADED_REASONS[DocumentKind(kind)],
    )
    return document


def application_missing_items(*, application: PartnerApplication) -> dict[str, str]:
    """What the application still lacks to be submitted, field name -> message.

    Reads the application's documents (one query)."""
    missing: dict[str, str] = {}
    labels = {f.name: f.verbose_name for f in PartnerApplication._meta.fields}
    labels.update(
        business_type=_("Business type"),
        years_in_business=_("Years in business"),
        city=_("City"),
        state=_("State"),
        storage_description=_("Storage description"),
        opening_days=_("Opening days"),
        delivery_modes=_("Delivery modes"),
    )
    for name in APPLICATION_REQUIRED_FIELDS:
        value = getattr(application, name)
        if value in (None, "", [], False):
            missing[name] = _required_message(labels[name])
    if application.business_type == BusinessType.OTHER and not application.business_type_other:
        missing["business_type_other"] = gettext("Tell us what kind of business it is.")
    if "has_secure_storage" in missing:
        missing["has_secure_storage"] = gettext("A secure storage area is required to take part.")
    if "terms_accepted" in missing:
        missing["terms_accepted"] = gettext("Accept the program terms to submit.")
    place = zip_lookup(application.zip_code) if application.zip_code else None
    if application.zip_code and (place is None or place.state != application.state):
        missing["zip_code"] = gettext("The ZIP code must be a ZIP in the chosen state.")
    kinds = set(application.documents.values_list("kind", flat=True))
    for kind in DocumentKind:
        if kind.value not in kinds:
            missing[kind.value] = _required_message(kind.label)
    return missing


def _required_message(label: str) -> str:
    return gettext("%(item)s is required to submit.") % {"item": capfirst(str(label))}


@transaction.atomic
def application_submit(*, application: PartnerApplication, actor: User) -> PartnerApplication:
    """Send a complete draft (or an answered info request) to ops.

    Geocodes the ZIP to its centroid and time zone, and notes the covering market."""
    application = _lock(application)
    applicant_require(actor=actor, application=application)
    to_status = _submit_status(application)
    # The applicant's move is a submission either way; only where it lands differs.
    if not _needs_transition(application=application, to_status=ApplicationStatus.SUBMITTED):
        return application
    missing = application_missing_items(application=application)
    if missing:
        raise ApplicationIncomplete(missing)
    place = zip_lookup(application.zip_code)
    if place is None:  # application_missing_items checked it; never trust an assert (python -O)
        raise ApplicationIncomplete({"zip_code": gettext("Enter a valid US ZIP code.")})
    application.latitude, application.longitude = place.latitude, place.longitude
    application.time_zone = place.time_zone
    application.market = market_covering(latitude=place.latitude, longitude=place.longitude)
    application.submitted_at = timezone.now()
    reason = RESUBMITTED_REASON if application.info_request else ""
    _move(
        application=application,
        to_status=to_status,
        actor=actor,
        reason=reason,
        update_fields=["latitude", "longitude", "time_zone", "market", "submitted_at"],
    )
    return application


def _submit_status(application: PartnerApplication) -> str:
    """An answered info request returns to its reviewer's queue in review; a first
    submission (or one nobody holds) waits in the shared queue."""
    answering = application.status == ApplicationStatus.INFO_REQUESTED
    if answering and application.assigned_reviewer_id is not None:
        return ApplicationStatus.IN_REVIEW
    return ApplicationStatus.SUBMITTED


@transaction.atomic
def application_withdraw(
    *, application: PartnerApplication, actor: User, reason: str = ""
) -> PartnerApplication:
    application = _lock(application)
    applicant_require(actor=actor, application=application)
    if not _needs_transition(application=application, to_status=ApplicationStatus.WITHDRAWN):
        return application
    _move(
        application=application,
        to_status=ApplicationStatus.WITHDRAWN,
        actor=actor,
        reason=reason,
    )
    return application


# ------------------------------------------------------------------------------
# The reviewer's side
# ------------------------------------------------------------------------------
@transaction.atomic
def application_start_review(
    *, application: PartnerApplication, reviewer: User, expected_status: str | None = None
) -> PartnerApplication:
    """A reviewer picks up a submitted application; it is assigned to them."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    application = _lock(application)
    if not _needs_transition(
        application=application,
        to_status=ApplicationStatus.IN_REVIEW,
        expected_status=expected_status,
    ):
        return application
    application.assigned_reviewer = reviewer
    _move(
        application=application,
        to_status=ApplicationStatus.IN_REVIEW,
        actor=reviewer,
        update_fields=["assigned_reviewer"],
    )
    return application


@transaction.atomic
def application_assign(*, application: PartnerApplication, reviewer: User) -> PartnerApplication:
    """Make `reviewer` the application's reviewer without changing its status."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    application = _lock(application)
    if application.assigned_reviewer_id == reviewer.pk:
        return application
    if application.status not in APPLICATION_OPEN_STATUSES - {ApplicationStatus.DRAFT}:
        raise InvalidTransition(
            gettext("Only applications waiting for a decision can be assigned.")
        )
    application.assigned_reviewer = reviewer
    application.save(update_fields=["assigned_reviewer", "updated"])
    application_event_record(
        application=application,
        actor=reviewer,
        kind=ApplicationEventKind.ASSIGNED,
        reason=f"Assigned to {reviewer}",
    )
    return application


@transaction.atomic
def application_take(*, application: PartnerApplication, reviewer: User) -> PartnerApplication:
    """ "Assign to me", decided on the locked row: a submitted application (new, or
    resubmitted by its applicant) starts its review with `reviewer`; one already in review
    or back with the applicant moves to `reviewer` without changing its status."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    application = _lock(application)
    if application.status == ApplicationStatus.SUBMITTED:
        return application_start_review(application=application, reviewer=reviewer)
    return application_assign(application=application, reviewer=reviewer)


@transaction.atomic
def application_request_info(
    *,
    application: PartnerApplication,
    reviewer: User,
    message: str,
    expected_status: str | None = None,
) -> PartnerApplication:
    """Send the application back to the applicant with a question (required)."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    if not message.strip():
        raise DomainError(gettext("Write what the applicant should add or change."))
    application = _lock(application)
    if not _needs_transition(
        application=application,
        to_status=ApplicationStatus.INFO_REQUESTED,
        expected_status=expected_status,
    ):
        return application
    application.info_request = message.strip()
    _move(
        application=application,
        to_status=ApplicationStatus.INFO_REQUESTED,
        actor=reviewer,
        reason=application.info_request,
        update_fields=["info_request"],
    )
    return application


def _decide(
    *, application: PartnerApplication, reviewer: User, to_status: str, reason: str
) -> None:
    application.decision_reason = reason
    application.decided_at = timezone.now()
    _move(
        application=application,
        to_status=to_status,
        actor=reviewer,
        reason=reason,
        update_fields=["decision_reason", "decided_at", "partner"],
    )


@transaction.atomic
def application_approve(
    *,
    application: PartnerApplication,
    reviewer: User,
    reason: str = "",
    expected_status: str | None = None,
) -> PartnerApplication:
    """Approve: create the Partner in onboarding with the owner as its OWNER member."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    application = _lock(application)
    if not _needs_transition(
        application=application,
        to_status=ApplicationStatus.APPROVED,
        expected_status=expected_status,
    ):
        return application
    application.partner = _partner_create_from(application=application, reviewer=reviewer)
    _decide(
        application=application,
        reviewer=reviewer,
        to_status=ApplicationStatus.APPROVED,
        reason=reason.strip(),
    )
    return application


def _partner_create_from(*, application: PartnerApplication, reviewer: User) -> Partner:
    """Call while holding the application's row lock."""
    owner = application.owner
    if membership_current_for(user=owner) is not None:
        raise DomainError(gettext("The applicant already works for a partner business."))
    place = zip_lookup(application.zip_code)
    if place is None:
        raise DomainError(
            gettext("The application's ZIP code is unknown; ask the applicant to fix it.")
        )
    partner = Partner(
        owner=owner,
        legal_name=application.legal_name,
        trade_name=application.trade_name or application.legal_name,
        status=PartnerStatus.ONBOARDING,
        address_line=application.address_line,
        city=application.city or place.city,
        state=application.state,
        zip_code=application.zip_code,
        latitude=place.latitude,
        longitude=place.longitude,
        time_zone=place.time_zone,
        daily_capacity=application.daily_capacity,
        storage_capacity=application.storage_capacity or application.daily_capacity,
        delivery_modes=list(application.delivery_modes),
        opening_days=list(application.opening_days),
        opens_at=application.opens_at,
        closes_at=application.closes_at,
    )
    partner.full_clean()
    partner.save()
    PartnerMember.objects.create(partner=partner, user=owner, role=MemberRole.OWNER)
    # The applicant role stays, so the owner can still read their application.
    role_grant(user=owner, role=Role.PARTNER_OWNER)
    partner_event_record(
        partner=partner,
        actor=reviewer,
        kind=PartnerEventKind.CREATED,
        from_status="",
        detail=f"Created from application #{application.pk}",
    )
    return partner


@transaction.atomic
def application_reject(
    *,
    application: PartnerApplication,
    reviewer: User,
    reason: str,
    expected_status: str | None = None,
) -> PartnerApplication:
    """Reject with a reason (required), which the applicant is told."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    if not reason.strip():
        raise DomainError(gettext("A reason is required to reject an application."))
    application = _lock(application)
    if not _needs_transition(
        application=application,
        to_status=ApplicationStatus.REJECTED,
        expected_status=expected_status,
    ):
        return application
    _decide(
        application=application,
        reviewer=reviewer,
        to_status=ApplicationStatus.REJECTED,
        reason=reason.strip(),
    )
    return application


@transaction.atomic
def application_waitlist(
    *,
    application: PartnerApplication,
    reviewer: User,
    reason: str = "",
    expected_status: str | None = None,
) -> PartnerApplication:
    """Waitlist an out-of-area application: it becomes a lead, invited when the area opens."""
    ops_require(actor=reviewer, refusal=REVIEWERS_ONLY)
    application = _lock(application)
    if not _needs_transition(
        application=application,
        to_status=ApplicationStatus.WAITLISTED,
        expected_status=expected_status,
    ):
        return application
    if zip_lookup(application.zip_code) is not None:
        lead_join(
            email=application.owner.email,
            zip_code=application.zip_code,
            source=LeadSource.WAITLISTED_APPLICATION,
            application=application,
        )
    _decide(
        application=application,
        reviewer=reviewer,
        to_status=ApplicationStatus.WAITLISTED,
        reason=reason.strip(),
    )
    return application


@transaction.atomic
def application_note_add(
    *, application: PartnerApplication, author: User, body: str
) -> ApplicationNote:
    """An internal note, visible to ops only."""
    ops_require(actor=author, refusal=REVIEWERS_ONLY)
    if not body.strip():
        raise DomainError(gettext("The note is empty."))
    return ApplicationNote.objects.create(application=application, author=author, body=body.strip())
