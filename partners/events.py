"""Every audit row of the partners app is written here, one function per event model
(like Saleor's events.py): `partner_event_record`, `application_event_record`,
`network_event_record` (markets and target states) and `holiday_event_record` (the holiday
calendar). Nothing else creates PartnerEvent, ApplicationEvent, NetworkEvent or HolidayEvent
rows (tests/partners/test_events.py greps for it)."""

from accounts.models import User
from partners.models import (
    ApplicationEvent,
    ApplicationEventKind,
    HolidayEvent,
    HolidayEventKind,
    Market,
    NetworkEvent,
    NetworkEventKind,
    Partner,
    PartnerApplication,
    PartnerEvent,
    PartnerEventKind,
    TargetState,
)


def partner_event_record(
    *,
    partner: Partner,
    actor: User | None,
    kind: PartnerEventKind,
    from_status: str | None = None,
    detail: str = "",
) -> PartnerEvent:
    """Log `kind` on the partner as it is now; `from_status` defaults to its status (the
    two are equal when the status did not change: a checklist tick, a settings change) and
    is "" for its creation."""
    return PartnerEvent.objects.create(
        partner=partner,
        actor=actor,
        kind=kind,
        from_status=partner.status if from_status is None else from_status,
        to_status=partner.status,
        detail=detail,
    )


def application_event_record(
    *,
    application: PartnerApplication,
    actor: User | None,
    kind: ApplicationEventKind,
    from_status: str | None = None,
    reason: str = "",
) -> ApplicationEvent:
    """Log `kind` on the application as it is now; `from_status` defaults to its status
    (equal when the status did not change: a document, an assignment) and is "" for its
    creation."""
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        kind=kind,
        from_status=application.status if from_status is None else from_status,
        to_status=application.status,
        reason=reason,
    )


def holiday_event_record(
    *, actor: User | None, kind: HolidayEventKind, date, detail: str
) -> HolidayEvent:
    return HolidayEvent.objects.create(actor=actor, kind=kind, date=date, detail=detail)


def network_event_record(
    *,
    actor: User | None,
    kind: NetworkEventKind,
    market: Market | None = None,
    target_state: TargetState | None = None,
    from_value: str = "",
    to_value: str = "",
) -> NetworkEvent:
    """Log `kind` on one market or one target state, with its state before and after."""
    return NetworkEvent.objects.create(
        market=market,
        target_state=target_state,
        actor=actor,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
    )
