"""One access vocabulary: the pages' role gates in accounts/decorators.py, `*_require` checks
in the access modules all raising NotAllowed, and one "current membership" query."""

import datetime
import pathlib
import re

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.access import ops_require
from hubdelivery.exceptions import DomainError, NotAllowed
from packages import services as package_services
from packages.access import driver_require, handoff_lock_for
from packages.models import Handoff, HandoffDirection
from partners.access import applicant_require, deliverer_require, member_require, owner_require
from partners.models import BackgroundCheck
from partners.selectors.partners import membership_current_for
from tests.conftest import client_for
from tests.factories import PartnerApplicationFactory

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "migrations", "benchmarks", "node_modules", "staticfiles", "media"}


def modules(*apps: str) -> dict[str, str]:
    """Path -> source of the project's modules, in `apps` (all when none given)."""
    roots = [ROOT / app for app in apps] or [ROOT]
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for root in roots
        for path in root.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts)
    }


def test_not_allowed_is_a_domain_error_and_a_permission_denied():
    # Pages that run a service show a DomainError's message, APIs answer 403 JSON, and a
    # page that lets it through answers Django's 403.
    assert issubclass(NotAllowed, DomainError)
    assert issubclass(NotAllowed, PermissionDenied)
    assert package_services.ActorNotAllowed is NotAllowed


def test_every_require_check_refuses_with_not_allowed(
    partner, partner_staff, other_partner, reviewer, dsp_driver, applicant, other_applicant
):
    # given a staff member whose check is pending, a handoff of another partner, an application
    partner_staff.memberships.update(background_check=BackgroundCheck.PENDING)
    handoff = Handoff.objects.create(
        direction=HandoffDirection.DROP_OFF,
        partner=partner,
        dsp=dsp_driver.driver.dsp,
        service_date=datetime.date(2026, 11, 30),
        opened_at=timezone.now(),
    )
    application = PartnerApplicationFactory(owner=applicant)
    refusals = {
        "ops": lambda: ops_require(actor=partner.owner),
        "owner": lambda: owner_require(actor=partner_staff, partner=partner),
        "member": lambda: member_require(actor=other_partner.owner, partner=partner),
        "deliverer": lambda: deliverer_require(actor=partner_staff, partner=partner),
        "applicant": lambda: applicant_require(actor=other_applicant, application=application),
        "driver": lambda: driver_require(actor=reviewer, dsp=dsp_driver.driver.dsp),
        "handoff side": lambda: handoff_lock_for(actor=other_partner.owner, handoff_id=handoff.pk),
    }
    # when each check is asked of the wrong person
    raised = {}
    for name, check in refusals.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001  # the test records whatever it is
            raised[name] = type(error)
    # then each raised NotAllowed
    assert raised == dict.fromkeys(refusals, NotAllowed)


def test_an_owner_check_on_a_page_answers_403(partner, partner_staff):
    # given a staff member
    client = client_for(partner_staff)
    # when they post an owner-only action
    response = client.post(reverse("partners:partner-training"))
    # then NotAllowed reaches Django as a 403
    assert response.status_code == 403


def test_partners_accounts_and_dashboard_pages_take_their_gates_from_the_decorators_module():
    # given the view modules of partners, accounts and dashboard
    sources = modules("partners", "accounts", "dashboard")
    # when searched for role gates built in place, or refusals restated in a view
    built = [p for p, text in sources.items() if "role_required(" in text]
    restated = [p for p, text in sources.items() if "raise PermissionDenied" in text]
    # then only the decorators module builds them and no module raises PermissionDenied itself
    assert built == ["accounts/decorators.py"]
    assert restated == ["accounts/decorators.py"]


MEMBERSHIP_BY_USER = re.compile(r"PartnerMember\.objects[\s\S]{0,80}?\.filter\(\s*user=")


def test_the_current_membership_is_read_by_one_selector_only():
    # given every module of the project
    # when searched for membership queries by user
    readers = [p for p, text in modules().items() if MEMBERSHIP_BY_USER.search(text)]
    # then the one selector is the only one
    assert readers == ["partners/selectors/partners.py"]


def test_the_current_membership_ignores_removed_rows(partner, partner_staff, other_partner):
    # given a member removed from a partner
    partner_staff.memberships.update(removed_at="2026-01-01T00:00Z")
    # then they have no current membership; the owners have theirs
    assert membership_current_for(user=partner_staff) is None
    assert membership_current_for(user=other_partner.owner).partner == other_partner
