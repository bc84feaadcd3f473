"""Markets, target states and leads: what ops admins open, and who is told when they do.

Opening a market or a target state invites every lead it covers, once: the lead's
`invited_at` is claimed with a conditional UPDATE, so two ops opening overlapping areas at
the same moment still send one invitation per lead.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, override

from accounts.access import ops_admin_require
from accounts.emails import email_send_templated
from accounts.models import User
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.geo import haversine_miles
from hubdelivery.lib.urls import absolute_url
from hubdelivery.lib.zipdata import ZipInfo, zip_lookup
from partners.events import network_event_record
from partners.models import (
    US_STATE_NAMES,
    Lead,
    LeadSource,
    Market,
    NetworkEventKind,
    PartnerApplication,
    TargetState,
)

# A degree of latitude is about 69 miles; used for a bounding-box prefilter in SQL before
# the exact haversine distance is computed in Python.
MILES_PER_DEGREE_LATITUDE = 69.0


def _zip_or_raise(zip_code: str) -> ZipInfo:
    place = zip_lookup(zip_code)
    if place is None:
        raise DomainError(
            gettext("%(zip)s is not a US ZIP code we know.") % {"zip": repr(zip_code)}
        )
    return place


# ------------------------------------------------------------------------------
# Audit words: the from/to of a NetworkEvent, written in the program's language (English)
# like every other audit row's detail.
# ------------------------------------------------------------------------------
def _active_words(is_active: bool) -> str:
    return "active" if is_active else "inactive"


def _market_fields(market: Market) -> dict[str, str]:
    return {
        "name": market.name,
        "state": market.state,
        "center_zip": market.center_zip,
        "radius_miles": str(market.radius_miles),
    }


def _market_words(fields: dict[str, str]) -> str:
    return "; ".join(f"{field}={value}" for field, value in fields.items())


def _market_edit_record(actor: User, market: Market, before: dict[str, str]) -> None:
    """One row naming only the fields that changed; none when nothing did."""
    after = _market_fields(market)
    changed = [field for field in after if after[field] != before[field]]
    if not changed:
        return
    network_event_record(
        actor=actor,
        kind=NetworkEventKind.MARKET_EDITED,
        market=market,
        from_value=_market_words({field: before[field] for field in changed}),
        to_value=_market_words({field: after[field] for field in changed}),
    )


def _market_active_changed(actor: User, market: Market, kind: NetworkEventKind) -> None:
    network_event_record(
        actor=actor,
        kind=kind,
        market=market,
        from_value=_active_words(not market.is_active),
        to_value=_active_words(market.is_active),
    )


def _target_state_active_changed(
    actor: User, target_state: TargetState, kind: NetworkEventKind
) -> None:
    network_event_record(
        actor=actor,
        kind=kind,
        target_state=target_state,
        from_value=_active_words(not target_state.is_active),
        to_value=_active_words(target_state.is_active),
    )


# ------------------------------------------------------------------------------
# Target states
# ------------------------------------------------------------------------------
@transaction.atomic
def target_state_add(*, actor: User, code: str) -> TargetState:
    """Add a state to the program (or reactivate it) and invite the leads in it."""
    ops_admin_require(actor=actor)
    if code not in US_STATE_NAMES:
        raise DomainError(gettext("%(code)s is not a US state code.") % {"code": repr(code)})
    target_state, created = TargetState.objects.get_or_create(code=code)
    if not created:
        return target_state_activate(actor=actor, target_state=target_state)
    network_event_record(
        actor=actor,
        kind=NetworkEventKind.TARGET_STATE_ADDED,
        target_state=target_state,
        to_value=_active_words(True),
    )
    leads_invite_in_state(code=code)
    return target_state


@transaction.atomic
def target_state_activate(*, actor: User, target_state: TargetState) -> TargetState:
    ops_admin_require(actor=actor)
    target_state = TargetState.objects.select_for_update().get(pk=target_state.pk)
    if target_state.is_active:
        return target_state
    target_state.is_active = True
    target_state.save(update_fields=["is_active"])
    _target_state_active_changed(actor, target_state, NetworkEventKind.TARGET_STATE_ACTIVATED)
    leads_invite_in_state(code=target_state.code)
    return target_state


@transaction.atomic
def target_state_deactivate(*, actor: User, target_state: TargetState) -> TargetState:
    ops_admin_require(actor=actor)
    target_state = TargetState.objects.select_for_update().get(pk=target_state.pk)
    if not target_state.is_active:
        return target_state
    target_state.is_active = False
    target_state.save(update_fields=["is_active"])
    _target_state_active_changed(actor, target_state, NetworkEventKind.TARGET_STATE_DEACTIVATED)
    return target_state


# ------------------------------------------------------------------------------
# Markets
# ------------------------------------------------------------------------------
@transaction.atomic
def market_create(*, actor: User, name: str, center_zip: str, radius_miles: int) -> Market:
    """Open a market centred on a ZIP's centroid and invite the leads inside it."""
    ops_admin_require(actor=actor)
    place = _zip_or_raise(center_zip)
    if Market.objects.filter(name__iexact=name).exists():
        raise DomainError(gettext("A market named %(name)s already exists.") % {"name": repr(name)})
    market = Market(
        name=name,
        state=place.state,
        center_zip=place.zip_code,
        latitude=place.latitude,
        longitude=place.longitude,
        radius_miles=radius_miles,
    )
    market.full_clean()
    market.save()
    network_event_record(
        actor=actor,
        kind=NetworkEventKind.MARKET_CREATED,
        market=market,
        to_value=_market_words(_market_fields(market)),
    )
    leads_invite_in_market(market=market)
    return market


@transaction.atomic
def market_update(
    *, actor: User, market: Market, name: str, center_zip: str, radius_miles: int
) -> Market:
    """Move or resize a market; leads newly inside it are invited (the others already were)."""
    ops_admin_require(actor=actor)
    market = Market.objects.select_for_update().get(pk=market.pk)
    place = _zip_or_raise(center_zip)
    before = _market_fields(market)
    if Market.objects.filter(name__iexact=name).exclude(pk=market.pk).exists():
        raise DomainError(gettext("A market named %(name)s already exists.") % {"name": repr(name)})
    market.name = name
    market.state = place.state
    market.center_zip = place.zip_code
    market.latitude = place.latitude
    market.longitude = place.longitude
    market.radius_miles = radius_miles
    market.full_clean()
    market.save(
        update_fields=["name", "state", "center_zip", "latitude", "longitude", "radius_miles"]
    )
    _market_edit_record(actor, market, before)
    if market.is_active:
        leads_invite_in_market(market=market)
    return market


@transaction.atomic
def market_activate(*, actor: User, market: Market) -> Market:
    ops_admin_require(actor=actor)
    market = Market.objects.select_for_update().get(pk=market.pk)
    if market.is_active:
        return market
    market.is_active = True
    market.save(update_fields=["is_active"])
    _market_active_changed(actor, market, NetworkEventKind.MARKET_ACTIVATED)
    leads_invite_in_market(market=market)
    return market


@transaction.atomic
def market_deactivate(*, actor: User, market: Market) -> Market:
    ops_admin_require(actor=actor)
    market = Market.objects.select_for_update().get(pk=market.pk)
    if not market.is_active:
        return market
    market.is_active = False
    market.save(update_fields=["is_active"])
    _market_active_changed(actor, market, NetworkEventKind.MARKET_DEACTIVATED)
    return market


# ------------------------------------------------------------------------------
# Leads
# ------------------------------------------------------------------------------
@transaction.atomic
def lead_join(
    *,
    email: str,
    zip_code: str,
    source: LeadSource = LeadSource.ELIGIBILITY_CHECK,
    application: PartnerApplication | None = None,
    language: str = "",
) -> Lead:
    """Keep a business outside the program's area as a lead. Joining twice is a no-op.

    `language` is the one the visitor read the page in; their invitation is written in it."""
    place = _zip_or_raise(zip_code)
    lead, _ = Lead.objects.get_or_create(
        email=email.strip().lower(),
        zip_code=place.zip_code,
        defaults={
            "state": place.state,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "source": source,
            "application": application,
            "language": language,
        },
    )
    return lead


def _state_opened(name: str) -> str:
    return gettext("%(state)s joined the program") % {"state": name}


def _market_opened(name: str) -> str:
    return gettext("the %(market)s market opened") % {"market": name}


# What opened, in the words of the active language when the invitation is rendered.
state_opened = lazy(_state_opened, str)
market_opened = lazy(_market_opened, str)


def lead_invite(*, lead: Lead, invited_for: str) -> bool:
    """Email the lead an invitation to apply, unless one was already sent.

    The conditional UPDATE is the claim: only the transaction whose update changed the row
    sends the email, so the invitation goes out exactly once. Returns whether it was sent.
    """
    with override("en"):  # the lead's record keeps what opened in English
        recorded = str(invited_for)[:150]
    claimed = Lead.objects.filter(pk=lead.pk, invited_at__isnull=True).update(
        invited_at=timezone.now(), invited_for=recorded
    )
    if claimed != 1:
        return False
    # A lead has no account whose language could be looked up: the page's language is kept.
    email_send_templated(
        template="application-invitation",
        to=lead.email,
        context={
            "invited_for": invited_for,
            "zip_code": lead.zip_code,
            "signup_url": absolute_url(reverse("account_signup")),
        },
        language=lead.language,
    )
    return True


def leads_invite_in_state(*, code: str) -> int:
    """Invite the uninvited leads in a state that just joined the program."""
    name = US_STATE_NAMES.get(code, code)
    leads = Lead.objects.filter(state=code, invited_at__isnull=True).order_by("pk")
    return sum(lead_invite(lead=lead, invited_for=state_opened(name)) for lead in leads)


def leads_invite_in_market(*, market: Market) -> int:
    """Invite the uninvited leads within the market's radius."""
    box = market.radius_miles / MILES_PER_DEGREE_LATITUDE
    # Longitude degrees shrink towards the poles; 3x the latitude box covers every US ZIP
    # up to Alaska's latitude, and the exact distance decides below.
    candidates = Lead.objects.filter(
        invited_at__isnull=True,
        latitude__range=(market.latitude - box, market.latitude + box),
        longitude__range=(market.longitude - 3 * box, market.longitude + 3 * box),
    ).order_by("pk")
    sent = 0
    for lead in candidates:
        distance = haversine_miles(market.latitude, market.longitude, lead.latitude, lead.longitude)
        if distance <= market.radius_miles:
            sent += lead_invite(lead=lead, invited_for=market_opened(market.name))
    return sent
