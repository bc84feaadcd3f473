"""Capacity findings applied: "move these ZIPs to <neighbour> for <date>" in one action,
audited, and undone until either partner's drop-off handoff for the date opens.

A moved package keeps `assigned_by_routing=False` while the move stands, as if the DSP had
named the neighbour: later assignment runs for the date leave it there
(selectors.packages_assign_movable) and count it in the neighbour's load.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import ops_require
from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidInput, InvalidTransition
from hubdelivery.lib.date_text import date_text
from packages.events import EventFields, package_events_record
from packages.models import Package, PackageEventType
from partners.events import partner_event_record
from partners.models import Partner, PartnerEventKind, PartnerStatus
from routing import selectors
from routing.models import CapacityFinding, CapacityReport, RouteStop, ZipMove, ZipMovePackage


def zip_move_describe(*, move: ZipMove) -> str:
    """The audit row's detail (kept in the program's words, like coverage changes)."""
    return (
        f"ZIPs {', '.join(move.zip_codes)} on {date_text(move.service_date)}: "
        f"{move.partner_from.trade_name} -> {move.partner_to.trade_name}"
    )


def drop_off_opened_refusal(
    *, partners: list[Partner], service_date: datetime.date, opened: set
) -> str:
    """Why the date's packages can no longer change partner ("" if they can): a drop-off
    handoff of either partner for the date has opened (`opened` from
    selectors.drop_offs_opened). The page shows Undo by this same rule."""
    for partner in partners:
        if (partner.pk, service_date) in opened:
            return _("%(partner)s's drop-off for %(date)s has opened.") % {
                "partner": partner.trade_name,
                "date": date_text(service_date),
            }
    return ""


def zip_move_undo_refusal(*, move: ZipMove, opened: set) -> str:
    """Why `move` cannot be undone ("" if it can)."""
    if not move.is_active:
        return _("This ZIP move was already undone.")
    why = drop_off_opened_refusal(
        partners=[move.partner_from, move.partner_to], service_date=move.service_date, opened=opened
    )
    return _("The ZIP move can no longer be undone: %(why)s") % {"why": why} if why else ""


def zip_moves_mark_undoable(*, moves: list[ZipMove]) -> list[ZipMove]:
    """Set `can_undo` on each move for the ops pages (one query for all of them)."""
    days = {(m.partner_from_id, m.service_date) for m in moves if m.is_active}
    days |= {(m.partner_to_id, m.service_date) for m in moves if m.is_active}
    opened = selectors.drop_offs_opened(days=days)
    for move in moves:
        move.can_undo = not zip_move_undo_refusal(move=move, opened=opened)
    return moves


def finding_apply_require(*, finding: CapacityFinding) -> None:
    """Refuse a finding that names no active neighbour or no ZIPs, naming the field."""
    if finding.neighbour is None:
        raise InvalidInput(
            _("This finding names no neighbour partner to move packages to."), field="neighbour"
        )
    if finding.neighbour.status != PartnerStatus.ACTIVE:
        raise InvalidInput(
            _("%(name)s is not active: it cannot take packages.")
            % {"name": finding.neighbour.trade_name},
            field="neighbour",
        )
    if not finding.zip_codes:
        raise InvalidInput(_("This finding names no ZIP codes to move."), field="zip_codes")


def finding_lock(*, finding: CapacityFinding) -> CapacityFinding:
    """The finding as it stands once its report is locked: a re-run of the check holds the
    same lock while it replaces the report's findings, so the two never interleave."""
    CapacityReport.objects.select_for_update().filter(pk=finding.report_id).first()
    current = (
        CapacityFinding.objects.select_related("report", "partner", "neighbour")
        .filter(pk=finding.pk)
        .first()
    )
    if current is None:
        raise DomainError(_("A newer capacity check replaced this finding; reload the page."))
    return current


@transaction.atomic
def finding_apply(*, finding: CapacityFinding, actor: User) -> ZipMove:
    """Move the finding's partner's packages of its ZIPs on its date to its neighbour.

    1. Ops staff only; the finding must name an active neighbour and ZIPs.
    2. Refused if the finding is applied already (until undone), or if either partner's
       drop-off for the date has opened.
    3. Lock the packages that no handoff has taken (manifested), record the ZipMove and
       each package's previous `assigned_by_routing`, then move them in one UPDATE.
    4. One REASSIGNED PackageEvent per package, a PartnerEvent on both partners.

    The same number of queries however many packages move.
    """
    ops_require(actor=actor)
    finding = finding_lock(finding=finding)
    finding_apply_require(finding=finding)
    report, source, neighbour = finding.report, finding.partner, finding.neighbour
    already = selectors.zip_move_active_for(
        report_id=report.pk, partner_id=source.pk, finding_kind=finding.kind
    )
    if already is not None:
        raise InvalidTransition(
            _("This finding was already applied by %(person)s; undo that move first.")
            % {"person": already.applied_by or _("the system")}
        )
    day = report.service_date
    opened = selectors.drop_offs_opened(days={(source.pk, day), (neighbour.pk, day)})
    why = drop_off_opened_refusal(partners=[source, neighbour], service_date=day, opened=opened)
    if why:
        raise DomainError(_("The packages can no longer move: %(why)s") % {"why": why})
    packages = packages_locked(
        selectors.packages_for_zip_move(
            partner_id=source.pk, service_date=day, zip_codes=finding.zip_codes
        )
    )
    if not packages:
        raise DomainError(
            _("%(partner)s has no packages of ZIP %(zips)s left to move on %(date)s.")
            % {
                "partner": source.trade_name,
                "zips": ", ".join(finding.zip_codes),
                "date": date_text(day),
            }
        )
    move = zip_move_create(finding=finding, actor=actor, packages=packages)
    reason = _("Capacity finding applied: ZIP %(zips)s moved to %(to)s for %(date)s.") % {
        "zips": ", ".join(move.zip_codes),
        "to": neighbour.trade_name,
        "date": date_text(day),
    }
    packages_move(packages=packages, to_partner=neighbour, routing_placed=set(), reason=reason)
    reassigned_events_record(
        move=move, packages=packages, actor=actor, from_partner=move.partner_from,
        to_partner=neighbour, reason=reason, step="apply",
    )  # fmt: skip
    zip_move_audit(move=move, actor=actor, kind=PartnerEventKind.ZIP_MOVE_APPLIED)
    return move


def packages_locked(packages: QuerySet[Package]) -> list[Package]:
    """Lock the packages in ascending pk (packages.lock_objects' order), so a handoff
    cannot scan one in while it moves, and read what a move needs."""
    return list(
        packages.select_for_update(of=("self",))
        .only("id", "tracking_id", "partner_id", "assigned_by_routing")
        .order_by("pk")
    )


def zip_move_create(*, finding: CapacityFinding, actor: User, packages: list[Package]) -> ZipMove:
    try:
        with transaction.atomic():
            move = ZipMove.objects.create(
                report=finding.report,
                finding_kind=finding.kind,
                partner_from=finding.partner,
                partner_to=finding.neighbour,
                zip_codes=sorted(finding.zip_codes),
                service_date=finding.report.service_date,
                applied_by=actor,
                applied_at=timezone.now(),
            )
    except IntegrityError as error:  # a second ops person applied it in the same instant
        raise InvalidTransition(_("This finding was applied already.")) from error
    ZipMovePackage.objects.bulk_create(
        ZipMovePackage(
            move=move, package=package, was_assigned_by_routing=package.assigned_by_routing
        )
        for package in packages
    )
    return move


def packages_move(
    *, packages: list[Package], to_partner: Partner, routing_placed: set[int], reason: str
) -> None:
    """Give the packages to `to_partner`; those in `routing_placed` go back to routing's
    hands, the others stay where they are put. They leave their old route (stop and
    sequence): the receiving partner's today list shows them after its routed stops, by
    address, until its route is planned again. Two UPDATEs and a DELETE, whatever the
    number of packages."""
    ids = [package.pk for package in packages]
    for by_routing in (True, False):
        chosen = [pk for pk in ids if (pk in routing_placed) == by_routing]
        if chosen:
            Package.objects.filter(pk__in=chosen).update(
                partner=to_partner,
                assigned_by_routing=by_routing,
                assignment_reason=reason,
                route_sequence=None,
            )
    RouteStop.objects.filter(package_id__in=ids).delete()


def reassigned_events_record(
    *,
    move: ZipMove,
    packages: list[Package],
    actor: User,
    from_partner: Partner,
    to_partner: Partner,
    reason: str,
    step: str,
) -> None:
    """One REASSIGNED event per package, in one INSERT; keyed by the move and the step so
    a package's apply and undo each log once."""
    events: list[EventFields] = [
        {
            "actor": actor,
            "event_type": PackageEventType.REASSIGNED,
            "idempotency_key": f"zip-move:{move.pk}:{step}:{package.pk}",
            "package": package,
            "detail": {
                # Names, as the closure's moves store them: the history shows them as written.
                "from_partner": from_partner.trade_name,
                "to_partner": to_partner.trade_name,
                "from_partner_id": from_partner.pk,
                "to_partner_id": to_partner.pk,
                "reason": reason,
                "zip_move": move.pk,
            },
        }
        for package in packages
    ]
    package_events_record(events=events)


def zip_move_audit(*, move: ZipMove, actor: User, kind: PartnerEventKind) -> None:
    detail = zip_move_describe(move=move)
    for partner in (move.partner_from, move.partner_to):
        partner_event_record(partner=partner, actor=actor, kind=kind, detail=detail)


@transaction.atomic
def zip_move_undo(*, move: ZipMove, actor: User) -> ZipMove:
    """Give the move's packages back to the partner they came from.

    Ops staff only; allowed until either partner's drop-off for the date opens
    (zip_move_undo_refusal); undoing it again changes nothing. Packages still with the
    neighbour and manifested go back, each with its earlier `assigned_by_routing` and one
    REASSIGNED event; a PartnerEvent on both partners. The same number of queries however
    many packages move back.
    """
    ops_require(actor=actor)
    move = selectors.zip_move_lock(move_id=move.pk)
    if not move.is_active:
        return move
    day = move.service_date
    opened = selectors.drop_offs_opened(
        days={(move.partner_from_id, day), (move.partner_to_id, day)}
    )
    why = zip_move_undo_refusal(move=move, opened=opened)
    if why:
        raise InvalidTransition(why)
    packages = packages_locked(selectors.packages_for_zip_move_undo(move=move))
    reason = _("Capacity finding undone: ZIP %(zips)s back to %(to)s for %(date)s.") % {
        "zips": ", ".join(move.zip_codes),
        "to": move.partner_from.trade_name,
        "date": date_text(day),
    }
    routing_placed = {package.pk for package in packages if package.was_assigned_by_routing}
    packages_move(
        packages=packages, to_partner=move.partner_from, routing_placed=routing_placed,
        reason=reason,
    )  # fmt: skip
    reassigned_events_record(
        move=move, packages=packages, actor=actor, from_partner=move.partner_to,
        to_partner=move.partner_from, reason=reason, step="undo",
    )  # fmt: skip
    move.undone_by, move.undone_at = actor, timezone.now()
    move.save(update_fields=["undone_by", "undone_at"])
    zip_move_audit(move=move, actor=actor, kind=PartnerEventKind.ZIP_MOVE_UNDONE)
    return move
