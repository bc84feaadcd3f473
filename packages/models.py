from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from partners.closing import ClosingCause
from partners.models import PartnerStatus

# Partners in these states take part in handoffs and receive manifests (the first handoff is an
# onboarding step).
RECEIVING_PARTNER_STATUSES = frozenset({PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING})


def choice_label(choices: type[models.Choices], value: str) -> str:
    """The label of `value` among `choices` (the value itself when it is none of them), by one
    dict lookup. Django's own get_FOO_display builds a hashable dict of every choice on each
    call; the today and handoff pages call it for each of their rows."""
    labels = _CHOICE_LABELS.get(choices)
    if labels is None:
        labels = _CHOICE_LABELS[choices] = dict(choices.choices)
    return str(labels.get(value, value))


_CHOICE_LABELS: dict[type[models.Choices], dict[str, object]] = {}


class Dsp(models.Model):
    """A Delivery Service Partner: the company whose drivers bring packages to partners."""

    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Set while deactivated: its drivers and API keys stop working until ops reactivate it.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "DSP"
        verbose_name_plural = "DSPs"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class Station(models.Model):
    """A DSP's depot, where drivers load the morning's packages."""

    dsp = models.ForeignKey(Dsp, on_delete=models.CASCADE, related_name="stations")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address_line = models.CharField(max_length=200)
    zip_code = models.CharField(max_length=5)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DriverQuerySet(models.QuerySet):
    def working(self) -> "DriverQuerySet":
        """Drivers not removed, of a DSP not deactivated: the only ones who may drive."""
        return self.filter(removed_at__isnull=True, dsp__deactivated_at__isnull=True)

    def stopped(self) -> "DriverQuerySet":
        """Removed drivers, and drivers of a deactivated DSP: they may not drive."""
        return self.filter(Q(removed_at__isnull=False) | Q(dsp__deactivated_at__isnull=False))


class Driver(models.Model):
    """A DSP driver's log-in, tied to one DSP. Removing a driver keeps the row (history)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="driver"
    )
    dsp = models.ForeignKey(Dsp, on_delete=models.PROTECT, related_name="drivers")
    home_station = models.ForeignKey(
        Station, on_delete=models.SET_NULL, null=True, blank=True, related_name="drivers"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = DriverQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.dsp})"


class StationPartner(models.Model):
    """Ops' adjustment of the partners a station serves (packages.station_partners): included
    adds a partner beyond the station's service radius, not included removes one within it.
    One row per station and partner: the latest decision, who made it and when; the history
    is in the DSP's audit (DspEvent)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="partner_choices")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    included = models.BooleanField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "partner"], name="one_choice_per_station_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station}: {self.partner_id} {'+' if self.included else '-'}"


# ------------------------------------------------------------------------------
# API tokens for DSP systems
# ------------------------------------------------------------------------------
class DspApiToken(models.Model):
    """A DSP system's credential for the REST API. Only a SHA-256 hash of the key is stored;
    the key itself is shown once, when it is issued (packages/services/tokens.py)."""

    dsp = models.ForeignKey(Dsp, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(max_length=100, help_text=_("Which system uses it, e.g. 'dispatch'."))
    key_prefix = models.CharField(
        max_length=8, help_text=_("First characters, to tell tokens apart.")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A rotation sets both: the old key keeps working until `expires_at` (the overlap window).
    expires_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["dsp", "label"]
        verbose_name = "DSP API token"

    def __str__(self) -> str:
        return f"{self.dsp} / {self.label} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.state in (TokenState.ACTIVE, TokenState.EXPIRING)

    @property
    def state(self) -> str:
        """What the key is now: authentication accepts an active or expiring key only."""
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at is None:
            return TokenState.ACTIVE
        return TokenState.EXPIRING if self.expires_at > timezone.now() else TokenState.EXPIRED

    @property
    def state_label(self) -> str:
        return TokenState(self.state).label


# ------------------------------------------------------------------------------
# Manifests and packages
# ------------------------------------------------------------------------------
class Manifest(models.Model):
    """The list of packages a DSP sends for one partner and service date, or for an area and
    date without a partner (routing then assigns each package). Its creation is the audit
    record of the packages it created (who, when, which system)."""

    dsp = models.ForeignKey(Dsp, on_delete=models.PROTECT, related_name="manifests")
    external_id = models.CharField(max_length=100, help_text=_("The DSP's own id; unique per DSP."))
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="manifests",
        help_text=_("Empty: a DSP-level manifest; routing assigns its packages."),
    )
    service_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_token = models.ForeignKey(
        DspApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="manifests"
    )
    source = models.CharField(max_length=10, choices=[("api", "API"), ("csv", _("CSV upload"))])
    package_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-service_date", "-id"]
        constraints = [
            # Resending a manifest must never create it twice.
            models.UniqueConstraint(
                fields=["dsp", "external_id"], name="manifest_external_id_per_dsp"
            )
        ]
        indexes = [models.Index(fields=["partner", "service_date"])]

    def __str__(self) -> str:
        return f"{self.dsp} {self.external_id}"


class PackageSize(models.TextChoices):
    SMALL = "small", _("Small (envelope, padded mailer)")
    MEDIUM = "medium", _("Medium (shoe box)")
    LARGE = "large", _("Large (carried with two hands)")


class PackageStatus(models.TextChoices):
    MANIFESTED = "manifested", _("On manifest")  # listed by the DSP, not yet handed to the partner
    RECEIVED = (
        "received",
        _("At the partner"),
    )  # scanned in at the drop-off; in the partner's custody
    OUT_FOR_DELIVERY = (
        "out_for_delivery",
        _("Out for delivery"),
    )  # a partner member is delivering it
    DELIVERED = "delivered", _("Delivered")  # handed to the recipient or a safe place, with proof
    ATTEMPTED = "attempted", _("Attempted")  # delivery failed; an incident is open
    DAMAGED = "damaged", _("Damaged")  # arrived damaged at the drop-off; goes back to the DSP
    MISSING = "missing", _("Missing")  # on the manifest but not in the drop-off
    RETURN_PENDING = (
        "return_pending",
        _("Queued for return"),
    )  # goes back at the next return handoff
    RETURNED = (
        "returned",
        _("Returned to DSP"),
    )  # handed back to the driver; out of the partner's hands


# Every status change a service makes, and no other: package_transition() refuses the rest,
# and tests/packages/test_transitions.py walks every service to keep this table true.
ALLOWED_PACKAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    # Scanned in, marked damaged, or marked missing at the drop-off (or when it closes).
    PackageStatus.MANIFESTED: frozenset(
        {PackageStatus.RECEIVED, PackageStatus.DAMAGED, PackageStatus.MISSING}
    ),
    # A missing package that turns up later is scanned in (or found damaged) after all.
    PackageStatus.MISSING: frozenset({PackageStatus.RECEIVED, PackageStatus.DAMAGED}),
    PackageStatus.RECEIVED: frozenset(
        {
            PackageStatus.OUT_FOR_DELIVERY,
            PackageStatus.DELIVERED,
            PackageStatus.ATTEMPTED,
            PackageStatus.RETURN_PENDING,
            # Left undelivered from an earlier day and handed back at a return.
            PackageStatus.RETURNED,
            # Scanned in and then found damaged, while the same drop-off is still open
            # (package_mark_damaged refuses it for a package received at an earlier handoff).
            PackageStatus.DAMAGED,
        }
    ),
    PackageStatus.OUT_FOR_DELIVERY: frozenset(
        {PackageStatus.DELIVERED, PackageStatus.ATTEMPTED, PackageStatus.RETURN_PENDING}
    ),
    # An undo (within services.deliveries.UNDO_WINDOW) puts the package back where it was.
    PackageStatus.DELIVERED: frozenset({PackageStatus.RECEIVED, PackageStatus.OUT_FOR_DELIVERY}),
    # Incident resolution: re-attempt (back to received) or queue for the return handoff.
    PackageStatus.ATTEMPTED: frozenset({PackageStatus.RECEIVED, PackageStatus.RETURN_PENDING}),
    # A damaged package goes straight back at the next return handoff.
    PackageStatus.DAMAGED: frozenset({PackageStatus.RETURNED}),
    PackageStatus.RETURN_PENDING: frozenset({PackageStatus.RETURNED}),
    PackageStatus.RETURNED: frozenset(),
}

# Statuses in which the partner holds the package.
PARTNER_CUSTODY_STATUSES = frozenset(
    {
        PackageStatus.RECEIVED,
        PackageStatus.OUT_FOR_DELIVERY,
        PackageStatus.ATTEMPTED,
        PackageStatus.DAMAGED,
        PackageStatus.RETURN_PENDING,
    }
)


class Package(models.Model):
    """One parcel. Its status changes only through packages.services, each with a PackageEvent."""

    tracking_id = models.CharField(max_length=40, unique=True)
    dsp = models.ForeignKey(Dsp, on_delete=models.PROTECT, related_name="packages")
    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="packages")
    # Empty: not assigned yet, or no partner had room (the package stays with the DSP).
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
    )
    # Written by routing.services.packages_assign: why the package went where it went.
    assignment_reason = models.TextField(blank=True)
    # True when routing chose the partner (it may choose again while the package is
    # manifested); False when the DSP named the partner itself.
    assigned_by_routing = models.BooleanField(default=False)
    service_date = models.DateField(help_text=_("The day the partner is to deliver it."))
    # Personal data: kept until the retention sweep described in docs/data-retention.md.
    recipient_name = models.CharField(max_length=150)
    address_line = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    zip_code = models.CharField(max_length=5)
    latitude = models.FloatField()
    longitude = models.FloatField()
    size = models.CharField(max_length=10, choices=PackageSize.choices, default=PackageSize.MEDIUM)
    status = models.CharField(
        max_length=20, choices=PackageStatus.choices, default=PackageStatus.MANIFESTED
    )
    # Written by routing (stop order); the today list orders by it, then by address.
    route_sequence = models.PositiveIntegerField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_date", "route_sequence", "address_line", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PackageStatus.values), name="package_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(size__in=PackageSize.values), name="package_size_valid"
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="package_lat_lng_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "service_date", "status"]),
            models.Index(fields=["dsp", "service_date"]),
        ]

    def __str__(self) -> str:
        return self.tracking_id

    def get_status_display(self) -> str:
        return choice_label(PackageStatus, self.status)

    def get_size_display(self) -> str:
        return choice_label(PackageSize, self.size)


# ------------------------------------------------------------------------------
# Handoffs
# ------------------------------------------------------------------------------
class HandoffDirection(models.TextChoices):
    DROP_OFF = "drop_off", _("Drop-off to partner")  # the morning delivery of the day's packages
    RETURN = "return", _("Return to DSP")  # undelivered packages go back to the driver


class HandoffStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("handoff", "Open")  # scanning in progress
    CLOSED = "closed", pgettext_lazy("handoff", "Closed")  # both sides confirmed; counts are final


ALLOWED_HANDOFF_TRANSITIONS: dict[str, frozenset[str]] = {
    HandoffStatus.OPEN: frozenset({HandoffStatus.CLOSED}),
    HandoffStatus.CLOSED: frozenset(),
}

HANDOFF_COUNT_FIELDS = ("expected", "received", "missing", "damaged", "unexpected")


class Handoff(models.Model):
    """Packages changing hands between a DSP driver and a partner, in one direction, on one
    date. Closes when both the driver and the partner have confirmed."""

    direction = models.CharField(max_length=10, choices=HandoffDirection.choices)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="handoffs"
    )
    dsp = models.ForeignKey(Dsp, on_delete=models.PROTECT, related_name="handoffs")
    driver = models.ForeignKey(
        Driver, on_delete=models.PROTECT, null=True, blank=True, related_name="handoffs"
    )
    service_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    driver_confirmed_at = models.DateTimeField(null=True, blank=True)
    driver_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner_confirmed_at = models.DateTimeField(null=True, blank=True)
    partner_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expected = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    missing = models.IntegerField(default=0)
    damaged = models.IntegerField(default=0)
    unexpected = models.IntegerField(default=0)

    class Meta:
        ordering = ["-service_date", "-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "direction", "service_date"],
                condition=Q(status="open"),
                name="one_open_handoff_per_partner_direction_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HandoffStatus.values), name="handoff_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=HandoffDirection.values), name="handoff_direction_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}), name=f"handoff_{field}_non_negative"
                )
                for field in HANDOFF_COUNT_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.partner} {self.service_date}"

    @property
    def is_open(self) -> bool:
        return self.status == HandoffStatus.OPEN

    @staticmethod
    def count_fields() -> tuple[str, ...]:
        return HANDOFF_COUNT_FIELDS


class HandoffOutcome(models.TextChoices):
    RECEIVED = "received", _("Received")  # scanned in (drop-off) or handed back (return)
    DAMAGED = "damaged", _("Damaged")  # scanned in damaged
    MISSING = "missing", _("Missing")  # expected but not in the drop-off
    UNEXPECTED = "unexpected", _("Not on this manifest")  # scanned but not expected here


class HandoffItem(models.Model):
    """One package's outcome at a handoff. Unexpected scans have no package."""

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="items")
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, null=True, blank=True, related_name="handoff_items"
    )
    tracking_id = models.CharField(max_length=40)
    outcome = models.CharField(max_length=12, choices=HandoffOutcome.choices)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scanned_at = models.DateTimeField()

    class Meta:
        ordering = ["handoff", "scanned_at", "id"]
        constraints = [
            # A second scan of the same label never counts twice.
            models.UniqueConstraint(
                fields=["handoff", "tracking_id"], name="one_item_per_tracking_id_per_handoff"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=HandoffOutcome.values), name="handoff_item_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_id}: {self.outcome}"

    def get_outcome_display(self) -> str:
        return choice_label(HandoffOutcome, self.outcome)


# ------------------------------------------------------------------------------
# The custody log
# ------------------------------------------------------------------------------
class PackageEventType(models.TextChoices):
    HANDOFF_OPENED = "handoff_opened", _("Handoff opened")
    HANDOFF_CONFIRMED = "handoff_confirmed", _("Handoff confirmed by one side")
    HANDOFF_CLOSED = "handoff_closed", _("Handoff closed")
    RECEIVED = "received", _("Received at the handoff")
    UNEXPECTED = "unexpected", _("Scanned, not on the manifest")
    DAMAGED = "damaged", _("Marked damaged")
    MISSING = "missing", _("Marked missing")
    DELIVERY_STARTED = "delivery_started", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Delivery attempted")
    DELIVERY_UNDONE = "delivery_undone", _("Delivery undone")
    INCIDENT_RESOLVED = "incident_resolved", _("Incident resolved")
    QUEUED_FOR_RETURN = "queued_for_return", _("Kept for the return handoff")
    RETURNED = "returned", _("Returned to the DSP")
    # Routing moved it to another partner before any handoff: its partner closed on the date
    # (detail: from_partner, to_partner ("" = the DSP), cause, reason) or ops applied or undid a
    # capacity finding's ZIP move (detail: from_partner, to_partner, reason, zip_move).
    REASSIGNED = "reassigned", _("Moved to another partner")


class PackageEvent(models.Model):
    """Append-only custody log: every change of a package or a handoff writes one row, in the
    same transaction. `idempotency_key` comes from the client, so a retried request finds its
    first result instead of writing again. Handoff-level events have no package; unexpected
    scans have no package but keep the scanned `tracking_id`."""

    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    tracking_id = models.CharField(max_length=40, blank=True)
    handoff = models.ForeignKey(
        Handoff, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    event_type = models.CharField(max_length=20, choices=PackageEventType.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    device_time = models.DateTimeField(
        null=True, blank=True, help_text=_("When the device saw it.")
    )
    received_at = models.DateTimeField(help_text=_("When the server received it."))
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Clients send up to 100 characters; the room above that is for keys the services derive
    # from the client's (":closed", ":missing:<pk>").
    idempotency_key = models.CharField(max_length=150, unique=True)
    detail = models.JSONField(default=dict, blank=True)

    # Not a column: services set it to True when they answer a retried request with this
    # (earlier) row instead of writing a new one.
    replayed = False

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event_type__in=PackageEventType.values), name="package_event_type_valid"
            ),
        ]
        indexes = [models.Index(fields=["package", "received_at"])]

    def __str__(self) -> str:
        return f"{self.tracking_id or self.handoff_id}: {self.event_type}"

    @property
    def to_status_label(self) -> str:
        return PackageStatus(self.to_status).label if self.to_status else ""

    @property
    def reason_label(self) -> str:
        """A failed attempt's reason or a move's cause as the reader's words, not its stored
        value."""
        reason = self.detail.get("reason", "")
        if self.event_type == PackageEventType.REASSIGNED and "cause" in self.detail:
            cause = choice_label(ClosingCause, self.detail.get("cause", ""))
            return gettext("%(cause)s: %(reason)s") % {"cause": cause, "reason": reason}
        return AttemptReason(reason).label if reason in AttemptReason.values else reason

    @property
    def move_text(self) -> str:
        """Where a moved package went, in the reader's words ("" for other events)."""
        if self.event_type != PackageEventType.REASSIGNED:
            return ""
        names = {"from": self.detail.get("from_partner", ""), "to": self.detail.get("to_partner")}
        if names["to"]:
            return gettext("From %(from)s to %(to)s.") % names
        return gettext("From %(from)s back to the DSP: no open covering partner had room.") % names


# ------------------------------------------------------------------------------
# Events a phone recorded offline that reached the server after their day closed
# ------------------------------------------------------------------------------
class SyncEventType(models.TextChoices):
    """The kinds of event a phone's outbox sends (POST /api/v1/sync)."""

    RECEIVED = "received", _("Scanned at the handoff")
    DAMAGED = "damaged", _("Marked damaged")
    MISSING = "missing", _("Marked missing")
    HANDOFF_CONFIRM = "handoff_confirm", _("Handoff confirmed")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Delivery attempted")
    DELIVERY_UNDONE = "delivery_undone", _("Delivery undone")
    DAY_CLOSE = "day_close", _("Day closed")


class LateEventOutcome(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("late event", "Applied")  # recorded in the custody log
    REFUSED = "refused", pgettext_lazy("late event", "Refused")  # kept here only, for ops


class LateEvent(models.Model):
    """An event from a phone's outbox (POST /api/v1/sync) that arrived after its day or its
    handoff had closed. Nothing a person did is lost: the event is kept with the device's time
    and the server's, applied or not, and listed for ops at /ops/late-events/. One row per
    client id, however often the phone sends it."""

    client_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=20, choices=SyncEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="late_events",
    )
    tracking_id = models.CharField(max_length=40, blank=True)
    handoff = models.ForeignKey(
        Handoff, on_delete=models.PROTECT, null=True, blank=True, related_name="late_events"
    )
    device_time = models.DateTimeField(help_text=_("When the device saw it."))
    received_at = models.DateTimeField(help_text=_("When the server received it."))
    outcome = models.CharField(max_length=10, choices=LateEventOutcome.choices)
    # The refusal's stable code and words (packages.services.sync), empty when applied.
    code = models.CharField(max_length=30, blank=True)
    message = models.TextField(blank=True)
    # The custody-log row when the event was applied.
    event = models.ForeignKey(
        PackageEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the phone sent, without a photo's bytes.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=LateEventOutcome.values), name="late_event_outcome_valid"
            ),
        ]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.tracking_id or self.handoff_id}: {self.event_type} (late)"

    def get_outcome_display(self) -> str:
        return choice_label(LateEventOutcome, self.outcome)

    def get_event_type_display(self) -> str:
        return choice_label(SyncEventType, self.event_type)


# ------------------------------------------------------------------------------
# Deliveries and incidents
# ------------------------------------------------------------------------------
class AttemptReason(models.TextChoices):
    NO_ACCESS = "no_access", _("No access to the building")
    RECIPIENT_UNAVAILABLE = "recipient_unavailable", _("Recipient unavailable")
    ADDRESS_PROBLEM = "address_problem", _("Address problem")
    UNSAFE = "unsafe", _("Unsafe to deliver")
    REFUSED = "refused", _("Refused by the recipient")


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Not delivered")


class DeliveryAttempt(models.Model):
    """One try at delivering a package, with its proof (photo, recipient name or safe-place
    note) when delivered, or its reason when not."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="attempts")
    event = models.OneToOneField(PackageEvent, on_delete=models.PROTECT, related_name="attempt")
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    reason = models.CharField(max_length=25, choices=AttemptReason.choices, blank=True)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    attempted_at = models.DateTimeField()
    # Private upload: never under the static root, served only through authenticated views.
    photo = models.ImageField(upload_to="proofs/%Y/%m/%d/", blank=True)
    recipient_name = models.CharField(max_length=150, blank=True)
    safe_place_note = models.CharField(max_length=300, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["package", "attempted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values), name="attempt_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="delivered") | ~Q(reason=""), name="attempt_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package}: {self.outcome}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident", "Open")  # waiting for ops
    RESOLVED = (
        "resolved",
        pgettext_lazy("incident", "Resolved"),
    )  # ops decided what happens to the package


class IncidentResolution(models.TextChoices):
    RE_ATTEMPT = "re_attempt", _("Re-attempt the next day")
    RETURN_TO_DSP = "return_to_dsp", _("Return to the DSP")


class Incident(models.Model):
    """A failed delivery attempt that ops must resolve."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="incidents")
    attempt = models.OneToOneField(
        DeliveryAttempt, on_delete=models.PROTECT, related_name="incident"
    )
    reason = models.CharField(max_length=25, choices=AttemptReason.choices)
    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    opened_at = models.DateTimeField()
    resolution = models.CharField(max_length=15, choices=IncidentResolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["package"], condition=Q(status="open"), name="one_open_incident_per_package"
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values), name="incident_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=AttemptReason.values), name="incident_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolution="")
                | Q(status="resolved", resolution__in=IncidentResolution.values),
                name="incident_resolution_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package}: {self.get_reason_display()}"


# ------------------------------------------------------------------------------
# CSV manifest uploads waiting for ops to confirm
# ------------------------------------------------------------------------------
class ManifestUpload(models.Model):
    """A parsed CSV manifest staged for preview. Nothing becomes a package until an ops user
    confirms it; then `manifest` points at what was created."""

    dsp = models.ForeignKey(Dsp, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service_date = models.DateField()
    external_id = models.CharField(max_length=100)
    file_name = models.CharField(max_length=255)
    rows = models.JSONField(default=list, help_text=_("The parsed rows, as given."))
    errors = models.JSONField(
        default=list, help_text=_("[{row, field, message}], empty when valid.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    manifest = models.ForeignKey(
        Manifest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created:%Y-%m-%d})"


# ------------------------------------------------------------------------------
# A DSP's own people and the DSP side's audit log (issue 18)
# ------------------------------------------------------------------------------
class TokenState(models.TextChoices):
    """A key's state, derived from its timestamps (never stored)."""

    ACTIVE = "active", pgettext_lazy("API key state", "Active")  # works, no end set
    # rotated: works until its overlap window ends
    EXPIRING = "expiring", pgettext_lazy("API key state", "Expiring")
    EXPIRED = "expired", pgettext_lazy("API key state", "Expired")  # rotated, past its window
    REVOKED = "revoked", pgettext_lazy("API key state", "Revoked")  # stopped at once by a person


class DspManager(models.Model):
    """A DSP's own person in the portal: manages that one DSP's API keys, drivers and managers.
    Removing a manager deletes the row; the DspEvent rows keep who managed it and when."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dsp_manager"
    )
    dsp = models.ForeignKey(Dsp, on_delete=models.PROTECT, related_name="managers")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        verbose_name = _("DSP manager")

    def __str__(self) -> str:
        return f"{self.user} ({self.dsp})"


class DspEventKind(models.TextChoices):
    """What a DspEvent records; the label is what the audit page shows."""

    KEY_ISSUED = "key_issued", _("API key issued")
    KEY_REVOKED = "key_revoked", _("API key revoked")
    KEY_ROTATED = "key_rotated", _("API key rotated")  # detail: the new key and the window's end
    DSP_CREATED = "dsp_created", _("DSP created")
    DSP_EDITED = "dsp_edited", _("DSP edited")  # detail: each changed field, before → after
    DSP_DEACTIVATED = "dsp_deactivated", _("DSP deactivated")
    DSP_REACTIVATED = "dsp_reactivated", _("DSP reactivated")
    STATION_CREATED = "station_created", _("Station created")
    STATION_EDITED = "station_edited", _("Station edited")
    DRIVER_INVITED = "driver_invited", _("Driver invited")
    DRIVER_JOINED = "driver_joined", _("Driver joined")
    DRIVER_MOVED = "driver_moved", _("Driver moved to another station")
    DRIVER_REMOVED = "driver_removed", _("Driver removed")
    # detail: the partner, and whether the station served it before → after
    STATION_PARTNER_ADDED = "station_partner_added", _("Partner added to a station")
    STATION_PARTNER_REMOVED = "station_partner_removed", _("Partner removed from a station")
    MANAGER_INVITED = "manager_invited", _("DSP manager invited")
    MANAGER_JOINED = "manager_joined", _("DSP manager joined")
    MANAGER_REMOVED = "manager_removed", _("DSP manager removed")


class DspEvent(models.Model):
    """Append-only audit of a DSP: who did what to it, when, and its state before and after.
    Only packages/dsp_events.py writes rows."""

    dsp = models.ForeignKey(Dsp, on_delete=models.CASCADE, related_name="events")
    token = models.ForeignKey(
        DspApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=DspEventKind.choices)
    from_state = models.CharField(max_length=20, blank=True, choices=TokenState.choices)
    to_state = models.CharField(max_length=20, blank=True, choices=TokenState.choices)
    detail = models.TextField(blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["dsp", "created"])]

    def __str__(self) -> str:
        return f"{self.dsp}: {self.kind}"
