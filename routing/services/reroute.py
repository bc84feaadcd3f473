"""Closures and holidays move packages: routing's answer to partners.closing.

When partners close on some days (a declared closure, a state's or market's holiday, a storm
day), the packages already assigned to them for those days and not yet handed off go to the
nearest covering partner that is open and has room (routing.assignment's rule); what no one
can take stays with the DSP, with the reason. Reopening (a closure cancelled, a day removed)
moves nothing back: the moved packages are routing's now, so the next packages_assign run for
their DSP and date places them afresh, the reopened partner included.
"""

import datetime
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.emails import email_send_templated
from hubdelivery.lib.urls import absolute_url
from packages.events import EventFields, package_events_record
from packages.models import Package, PackageEventType
from partners.closing import ClosingCause, PartnersClosed
from routing import selectors
from routing.assignment import Assignment, PackageSpot, assign_packages
from routing.services.assignment import assignment_reason_text

# What a move reads and writes of each package (events name it by tracking id).
MOVE_FIELDS = ("id", "tracking_id", "service_date", "partner_id", "latitude", "longitude",
               "zip_code")  # fmt: skip


@dataclass(frozen=True)
class Move:
    package: Package
    from_partner_id: int
    assignment: Assignment


@dataclass(frozen=True)
class RerouteResult:
    moved: int
    unplaced: int


@transaction.atomic
def packages_reassign_closed(*, closed: PartnersClosed) -> RerouteResult:
    """Move the closed partners' packages of the closed days to open partners.

    Precondition: the closure or holiday row is already written in this transaction, so the
    assignment's reads see the partners closed.

    1. Lock the packages that may still move (selectors.packages_of_closed_partners: from the
       partner's local today on, manifested, drop-off not opened), whoever placed them.
    2. Per service date among them: every active partner's coverage and room that day (the
       closed ones marked closed), then the pure assignment.
    3. One bulk_update of partner, reason and `assigned_by_routing`; one PackageEvent per
       package (REASSIGNED: from, to, cause, reason), inserted together.
    4. One email per affected owner and one to ops, queued for after the commit.

    A fixed number of queries per service date that has packages, whatever their number.
    """
    packages = list(
        selectors.packages_of_closed_partners(
            partners=closed.partners, start_date=closed.start_date, end_date=closed.end_date
        )
        .select_for_update(of=("self",))
        .only(*MOVE_FIELDS)
        .order_by("id")
    )
    if not packages:
        return RerouteResult(moved=0, unplaced=0)
    owners = selectors.partner_owners(partner_ids={p.partner_id for p in packages})
    moves, names = moves_decide(packages)
    moves_write(moves=moves, closed=closed, names={**names, **_trade_names(owners)})
    reroute_emails_send(moves=moves, closed=closed, owners=owners)
    unplaced = sum(1 for move in moves if move.assignment.partner_id is None)
    return RerouteResult(moved=len(moves) - unplaced, unplaced=unplaced)


def moves_decide(packages: list[Package]) -> tuple[list[Move], dict[int, str]]:
    """Each package's new partner (None: the DSP), date by date; and the names of the
    partners the dates' coverages list."""
    by_date: dict[datetime.date, list[Package]] = defaultdict(list)
    for package in packages:
        by_date[package.service_date].append(package)
    moves, names = [], {}
    for service_date, day_packages in sorted(by_date.items()):
        coverages = selectors.partner_coverages_for_assignment(
            service_date=service_date, dsp_id=None
        )
        names.update({coverage.id: coverage.name for coverage in coverages})
        spots = [PackageSpot(p.pk, p.latitude, p.longitude, p.zip_code) for p in day_packages]
        decided = {a.package_id: a for a in assign_packages(spots, coverages)}
        moves += [Move(p, p.partner_id, decided[p.pk]) for p in day_packages]
    return moves, names


def moves_write(*, moves: list[Move], closed: PartnersClosed, names: dict[int, str]) -> None:
    """The packages' new partner and reason in one UPDATE, their events in one INSERT (on
    SQLite the driver's parameter limit splits both into batches)."""
    run = uuid.uuid4().hex  # one key per run: declaring the same days again is a new move
    events: list[EventFields] = []
    for move in moves:
        package, assignment = move.package, move.assignment
        package.partner_id = assignment.partner_id
        package.assigned_by_routing = assignment.partner_id is not None
        package.assignment_reason = _("%(partner)s closed (%(reason)s); %(assignment)s") % {
            "partner": names[move.from_partner_id],
            "reason": closed.reason,
            "assignment": assignment_reason_text(assignment),
        }
        events.append(
            EventFields(
                actor=closed.actor, event_type=PackageEventType.REASSIGNED, package=package,
                idempotency_key=f"reassigned:{run}:{package.pk}",
                detail={
                    "from_partner": names[move.from_partner_id],
                    "to_partner": names.get(assignment.partner_id, ""),
                    "cause": closed.cause, "reason": closed.reason,
                    "assignment": assignment.reason,
                },
            )
        )  # fmt: skip
    Package.objects.bulk_update(
        [move.package for move in moves], ["partner", "assigned_by_routing", "assignment_reason"]
    )
    package_events_record(events=events)


def _trade_names(owners: dict[int, tuple[str, str, str]]) -> dict[int, str]:
    return {pk: name for pk, (name, _email, _language) in owners.items()}


def reroute_emails_send(
    *, moves: list[Move], closed: PartnersClosed, owners: dict[int, tuple[str, str, str]]
) -> None:
    """One email to each owner whose packages moved away (how many, for which dates, per
    partner they own) and one to ops (moved and left with the DSP)."""
    moved_away: dict[str, Counter] = defaultdict(Counter)
    for move in moves:
        name, email, _language = owners[move.from_partner_id]
        moved_away[email][(name, move.package.service_date)] += 1
    languages = {email: language for _name, email, language in owners.values()}
    context = {"cause": ClosingCause(closed.cause).label, "reason": closed.reason}
    home_url = absolute_url(reverse("partners:partner-home"))
    for email, counts in moved_away.items():
        email_send_templated(
            template="packages-moved",
            to=email,
            context={
                **context,
                "rows": [(*key, n) for key, n in sorted(counts.items())],
                "total": sum(counts.values()),
                "url": home_url,
            },
            language=languages[email],
        )
    reroute_ops_email(moves=moves, closed=closed, context=context)


def reroute_ops_email(*, moves: list[Move], closed: PartnersClosed, context: dict) -> None:
    unplaced = sum(1 for move in moves if move.assignment.partner_id is None)
    first_date = min(move.package.service_date for move in moves)
    email_send_templated(
        template="packages-rerouted",
        to=settings.OPS_EMAIL,
        context={
            **context,
            "start_date": closed.start_date,
            "end_date": closed.end_date,
            "moved": len(moves) - unplaced,
            "unplaced": unplaced,
            "url": absolute_url(f"{reverse('routing:ops-assignment')}?date={first_date:%Y-%m-%d}"),
        },
        language=settings.LANGUAGE_CODE,  # the ops mailbox is no user: the team's language
    )
