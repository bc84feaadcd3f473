"""Demo recruiting data: applications in every status across several target states, a
draft for applicant@demo.hub, and waitlist leads in states outside the program.

Idempotent: a demo applicant who already has an application is left alone, so a second
run adds nothing. Transitions go through the services, so events and emails are real.
"""

import datetime
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.demo import demo_user_ensure
from accounts.models import User
from accounts.roles import Role
from hubdelivery.lib.zipdata import zip_lookup
from partners.models import (
    ApplicationStatus,
    BusinessType,
    DocumentKind,
    PartnerApplication,
)
from partners.services import applications as services
from partners.services.recruiting import lead_join

DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# (status, trade name, business type, street, ZIP, state)
DEMO_APPLICATIONS: list[tuple[str, str, BusinessType, str, str, str]] = [
    ("submitted", "Fremont Flowers", BusinessType.FLORIST, "3416 Fremont Ave N", "98103", "WA"),
    ("in_review", "Echo Park Coffee", BusinessType.COFFEE_SHOP, "1500 Sunset Blvd", "90026", "CA"),
    ("info_requested", "Hoboken Threads", BusinessType.CLOTHING, "120 Washington", "07030", "NJ"),
    ("approved", "Bronx Corner Deli", BusinessType.CONVENIENCE, "410 E 149th St", "10455", "NY"),
    ("rejected", "Loop Salon", BusinessType.SALON, "55 W Monroe St", "60603", "IL"),
    ("waitlisted", "Mile High Market", BusinessType.CONVENIENCE, "1600 Champa St", "80202", "CO"),
    ("withdrawn", "Daily Grind", BusinessType.COFFEE_SHOP, "400 Locust St", "50309", "IA"),
    ("submitted", "Fargo Fresh Flowers", BusinessType.FLORIST, "11 Broadway N", "58102", "ND"),
]  # fmt: skip

# Waitlist sign-ups from states outside the program (ranked by the demand page).
DEMO_LEADS: list[tuple[str, str]] = [
    ("bakery@denver.example", "80202"),
    ("tailor@denver.example", "80205"),
    ("books@denver.example", "80202"),
    ("grocer@austin.example", "78701"),
    ("flowers@austin.example", "78704"),
    ("cafe@portland.example", "97205"),
]


def _demo_fill(
    application: PartnerApplication,
    *,
    trade_name: str,
    kind: BusinessType,
    street: str,
    zip_code: str,
    state: str,
) -> None:
    owner = application.owner
    services.application_draft_save(
        application=application,
        actor=owner,
        data={
            "legal_name": f"{trade_name} LLC",
            "trade_name": trade_name,
            "business_type": kind,
            "ein": "04-2103594",
            "years_in_business": 5,
            "owner_name": owner.full_name,
            "owner_phone": "+16172620123",
            "address_line": street,
            "city": zip_lookup(zip_code).city,  # type: ignore[union-attr]
            "state": state,
            "zip_code": zip_code,
            "opening_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
            "opens_at": datetime.time(8, 0),
            "closes_at": datetime.time(19, 0),
            "has_secure_storage": True,
            "storage_description": "Locked back room with shelving",
            "storage_capacity": 50,
            "delivery_modes": ["walk", "bike"],
            "daily_capacity": 30,
            "staff_count": 2,
            "terms_accepted": True,
        },
    )
    for document_kind in DocumentKind:
        services.application_document_attach(
            application=application,
            actor=owner,
            kind=document_kind,
            upload=ContentFile(DEMO_PDF, name=f"{document_kind.value}.pdf"),
            content_type="application/pdf",
        )


def _demo_advance(application: PartnerApplication, status: str, reviewer: User) -> None:
    """Drive the application through the services to `status`."""
    owner = application.owner
    if status == ApplicationStatus.WITHDRAWN:
        services.application_submit(application=application, actor=owner)
        services.application_withdraw(
            application=application, actor=owner, reason="We are moving the shop."
        )
        return
    services.application_submit(application=application, actor=owner)
    if status == ApplicationStatus.SUBMITTED:
        return
    services.application_start_review(application=application, reviewer=reviewer)
    decisions: dict[str, Callable[[], object]] = {
        "info_requested": lambda: services.application_request_info(
            application=application,
            reviewer=reviewer,
            message="Please upload a clearer photo of the storage area, showing the lock.",
        ),
        "approved": lambda: services.application_approve(
            application=application, reviewer=reviewer
        ),
        "rejected": lambda: services.application_reject(
            application=application,
            reviewer=reviewer,
            reason="The business does not have a lockable storage area.",
        ),
        "waitlisted": lambda: services.application_waitlist(
            application=application, reviewer=reviewer, reason="Colorado is not open yet."
        ),
    }
    if status in decisions:
        decisions[status]()


def seed() -> None:
    reviewer = User.objects.get(email="reviewer@demo.hub")
    applicant = User.objects.get(email="applicant@demo.hub")
    if not applicant.applications.exists():
        draft = services.application_start(owner=applicant)
        services.application_draft_save(
            application=draft,
            actor=applicant,
            data={
                "trade_name": "Alex's Bodega",
                "business_type": BusinessType.CONVENIENCE,
                "state": "MA",
                "zip_code": "02118",
            },
        )
    seen: dict[str, int] = {}
    for status, trade_name, kind, street, zip_code, state in DEMO_APPLICATIONS:
        seen[status] = seen.get(status, 0) + 1
        slug = status.replace("_", "-") + (f"-{seen[status]}" if seen[status] > 1 else "")
        owner = demo_user_ensure(
            email=f"applicant-{slug}@demo.hub",
            full_name=f"{trade_name} Owner",
            roles=[Role.APPLICANT],
        )
        if owner.applications.exists():
            continue
        application = services.application_start(owner=owner)
        _demo_fill(
            application,
            trade_name=trade_name,
            kind=kind,
            street=street,
            zip_code=zip_code,
            state=state,
        )
        _demo_advance(application, status, reviewer)
        if slug == "submitted":
            # Waiting a week, so the ops queue shows the aging badge.
            PartnerApplication.objects.filter(pk=application.pk).update(
                submitted_at=timezone.now() - datetime.timedelta(days=7)
            )
    for email, zip_code in DEMO_LEADS:
        lead_join(email=email, zip_code=zip_code)
