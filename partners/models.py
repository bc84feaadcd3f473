from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class PartnerStatus(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")  # approved, checklist not yet complete
    ACTIVE = "active", _("Active")  # receives packages
    PAUSED = "paused", _("Paused")  # temporarily receives nothing (closure, vacation)
    OFFBOARDED = "offboarded", _("Offboarded")  # left the program; kept for history


class DeliveryMode(models.TextChoices):
    WALK = "walk", _("On foot")
    BIKE = "bike", _("Bike")
    CAR = "car", _("Car")


MIN_DAILY_CAPACITY = 20
MAX_DAILY_CAPACITY = 50


class Partner(models.Model):
    """An approved small business that receives and delivers packages."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_partners"
    )
    legal_name = models.CharField(max_length=200)
    trade_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ONBOARDING
    )
    address_line = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=5)
    latitude = models.FloatField()
    longitude = models.FloatField()
    time_zone = models.CharField(max_length=64, help_text=_("IANA name, from the ZIP code."))
    daily_capacity = models.PositiveSmallIntegerField(default=30)
    storage_capacity = models.PositiveSmallIntegerField(default=40)
    delivery_modes = models.JSONField(default=list, help_text=_("Subset of walk, bike, car."))
    opening_days = models.JSONField(default=list, help_text=_("Weekday codes: mon, tue, ... sun."))
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    # Onboarding checklist: the partner becomes active when all four are set.
    agreement_version = models.CharField(max_length=20, blank=True)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    training_completed_at = models.DateTimeField(null=True, blank=True)
    storage_verified_at = models.DateTimeField(null=True, blank=True)
    first_handoff_at = models.DateTimeField(null=True, blank=True)
    # Lifecycle: why the partner is paused or offboarded, and until when a pause lasts.
    status_reason = models.TextField(blank=True)
    paused_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["trade_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_capacity__gte=MIN_DAILY_CAPACITY)
                & Q(daily_capacity__lte=MAX_DAILY_CAPACITY),
                name="partner_daily_capacity_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PartnerStatus.values), name="partner_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(storage_capacity__gte=1), name="partner_storage_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.trade_name

    @property
    def opening_days_display(self) -> str:
        labels = dict(Weekday.choices)
        return ", ".join(str(labels.get(day, day)) for day in self.opening_days)

    def is_owned_by(self, user_id: int | None) -> bool:
        """The one definition of a partner's owner: the user `Partner.owner` names.

        The owner's PartnerMember row says role "owner" too, but only as its label (the
        approval writes it, migration 0008 put old rows in step); no access check reads it.
        """
        return user_id is not None and self.owner_id == user_id


class MemberRole(models.TextChoices):
    """The label shown beside a member; who owns the partner is `Partner.is_owned_by`."""

    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class BackgroundCheck(models.TextChoices):
    # The person has not consented.
    NOT_STARTED = "not_started", pgettext_lazy("background check", "Consent not yet given")
    # Consent recorded, result awaited from ops.
    PENDING = "pending", pgettext_lazy("background check", "Check in progress")
    CLEAR = "clear", pgettext_lazy("background check", "Clear")  # may deliver
    NOT_CLEAR = "not_clear", pgettext_lazy("background check", "Not clear")  # may not deliver


class PartnerMember(models.Model):
    """A person who works for a partner (the owner included). Only members whose background
    check is clear may deliver."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices)
    background_check = models.CharField(
        max_length=20, choices=BackgroundCheck.choices, default=BackgroundCheck.NOT_STARTED
    )
    background_consent_at = models.DateTimeField(null=True, blank=True)
    background_result_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partner", "role", "user__email"]
        constraints = [
            # A person works for one partner at a time.
            models.UniqueConstraint(
                fields=["user"], condition=Q(removed_at__isnull=True), name="one_active_membership"
            ),
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(removed_at__isnull=True, role=MemberRole.OWNER),
                name="one_owner_row_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.partner}"

    @property
    def is_owner(self) -> bool:
        return self.partner.is_owned_by(self.user_id)

    @property
    def may_deliver(self) -> bool:
        return self.removed_at is None and self.background_check == BackgroundCheck.CLEAR


class PartnerEventKind(models.TextChoices):
    """What a PartnerEvent records; the label is what the partner's history shows."""

    CREATED = "created", _("Partner created")  # the approval created it
    ACTIVATED = "activated", _("Activated")  # onboarding checklist complete
    AGREEMENT_ACCEPTED = "agreement_accepted", _("Program agreement accepted")
    TRAINING_COMPLETED = "training_completed", _("Training completed")
    STORAGE_VERIFIED = "storage_verified", _("Storage verified")
    FIRST_HANDOFF = "first_handoff", _("First handoff")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    OFFBOARDED = "offboarded", _("Offboarded")
    SETTINGS_CHANGED = "settings_changed", _("Settings changed")  # detail lists old -> new
    COVERAGE_CHANGED = "coverage_changed", _("Coverage changed")  # ZIPs or radius (routing)
    STAFF_INVITED = "staff_invited", _("Staff invited")
    STAFF_JOINED = "staff_joined", _("Staff joined")
    STAFF_REMOVED = "staff_removed", _("Staff removed")
    BACKGROUND_CONSENT = "background_consent", _("Background check consent")
    BACKGROUND_RESULT = "background_result", _("Background check result")
    CLOSURE_DECLARED = "closure_declared", _("Closure declared")
    CLOSURE_CANCELLED = "closure_cancelled", _("Closure cancelled")
    CLOSURE_ALLOWANCE_OVERRIDDEN = (
        "closure_allowance_overridden",
        _("Closure beyond the allowance (ops override)"),
    )
    # A capacity finding applied (or undone): one service date's ZIPs moved to a neighbour.
    ZIP_MOVE_APPLIED = "zip_move_applied", _("ZIPs moved to a neighbour for a day")
    ZIP_MOVE_UNDONE = "zip_move_undone", _("ZIP move undone")


class PartnerEvent(models.Model):
    """Append-only audit of a partner: status changes, checklist items, settings changes.

    `from_status`/`to_status` are equal when the status did not change (a checklist tick or a
    settings change); `detail` holds what changed in words.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=PartnerEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True, choices=PartnerStatus.choices)
    to_status = models.CharField(max_length=20, blank=True, choices=PartnerStatus.choices)
    detail = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["partner", "created"])]

    def __str__(self) -> str:
        return f"{self.partner}: {self.kind}"


class Closure(models.Model):
    """Days the partner declared it cannot receive or deliver packages (both dates included)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="closure_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} closed {self.start_date}..{self.end_date}"


class HolidayKind(models.TextChoices):
    FEDERAL = "federal", _("Federal")
    STATE = "state", _("State")
    AD_HOC = "ad_hoc", _("Ad hoc")  # a storm, an outage


class HolidayDay(models.Model):
    """A day without deliveries: nationwide (no state, no market), in one state, or in one
    market. Federal days are seeded from the `holidays` package and never deleted: ops switch
    one off for the year with a reason (`switched_off_reason`)."""

    date = models.DateField()
    name = models.CharField(_("Name"), max_length=100)
    kind = models.CharField(max_length=10, choices=HolidayKind.choices)
    state = models.CharField(_("State"), max_length=2, blank=True)
    market = models.ForeignKey(
        "Market", on_delete=models.CASCADE, null=True, blank=True, related_name="holidays"
    )
    reason = models.CharField(_("Reason"), max_length=200, blank=True)
    switched_off_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "kind", "state", "name"]
        indexes = [models.Index(fields=["date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=HolidayKind.values), name="holiday_kind_valid"
            ),
            models.CheckConstraint(
                condition=~(~Q(state="") & Q(market__isnull=False)),
                name="holiday_one_scope",
            ),
            models.UniqueConstraint(
                fields=["date", "name"],
                condition=Q(kind="federal"),
                name="holiday_one_federal_per_date_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    @property
    def is_on(self) -> bool:
        return not self.switched_off_reason

    @property
    def scope_display(self) -> str:
        if self.market_id:
            return str(self.market)
        return self.state or gettext("Nationwide")


class HolidayEventKind(models.TextChoices):
    ADDED = "added", _("Holiday added")
    REMOVED = "removed", _("Holiday removed")
    SWITCHED_OFF = "switched_off", _("Federal holiday switched off")
    SEEDED = "seeded", _("Federal holidays seeded")


class HolidayEvent(models.Model):
    """Append-only audit of the holiday calendar (written only by partners.events)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=HolidayEventKind.choices)
    date = models.DateField()
    detail = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


# ------------------------------------------------------------------------------
# Recruiting: target states, markets, leads, applications
# ------------------------------------------------------------------------------
US_STATES: list[tuple[str, str]] = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"),
    ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip
US_STATE_NAMES: dict[str, str] = dict(US_STATES)
DEFAULT_MARKET_RADIUS_MILES = 10


class TargetState(models.Model):
    """A US state where the program recruits. Inactive states are kept for history."""

    code = models.CharField(max_length=2, unique=True, choices=US_STATES)
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return US_STATE_NAMES.get(self.code, self.code)


class Market(models.Model):
    """A dense-city market: a centre and a radius. Businesses inside are invited to apply."""

    name = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=2, choices=US_STATES)
    center_zip = models.CharField(
        max_length=5, help_text=_("The ZIP whose centroid is the centre.")
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    radius_miles = models.PositiveSmallIntegerField(default=DEFAULT_MARKET_RADIUS_MILES)
    is_active = models.BooleanField(default=True)
    active_partner_target = models.PositiveIntegerField(
        default=0, help_text=_("How many active partners the market should have (ops dashboard).")
    )
    rate_per_package = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("2.50"),
        help_text=_("What a partner earns per delivered package, in US dollars."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_miles__gte=1) & Q(radius_miles__lte=100),
                name="market_radius_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NetworkEventKind(models.TextChoices):
    """What a NetworkEvent records; the label is what the audit page shows."""

    MARKET_CREATED = "market_created", _("Market opened")
    MARKET_EDITED = "market_edited", _("Market edited")  # from/to: the fields that changed
    MARKET_ACTIVATED = "market_activated", _("Market reopened")
    MARKET_DEACTIVATED = "market_deactivated", _("Market closed")
    TARGET_STATE_ADDED = "target_state_added", _("Target state added")
    TARGET_STATE_ACTIVATED = "target_state_activated", _("Target state reactivated")
    TARGET_STATE_DEACTIVATED = "target_state_deactivated", _("Target state removed")


class NetworkEvent(models.Model):
    """Append-only audit of the program's area: markets and target states, who changed what,
    when, from what to what. Only partners/events.py writes rows."""

    market = models.ForeignKey(
        Market, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    target_state = models.ForeignKey(
        TargetState, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=NetworkEventKind.choices)
    from_value = models.TextField(blank=True)
    to_value = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["created"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(market__isnull=False, target_state__isnull=True)
                | Q(market__isnull=True, target_state__isnull=False),
                name="network_event_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.market or self.target_state}: {self.kind}"


class LeadSource(models.TextChoices):
    ELIGIBILITY_CHECK = "eligibility_check", _("Eligibility check")  # joined the waitlist
    WAITLISTED_APPLICATION = "waitlisted_application", _("Waitlisted application")


class Lead(models.Model):
    """A business outside the program's area that wants to hear when it opens near them.

    `invited_at` is stamped exactly once, by a conditional update, when a market or target
    state that covers the lead opens; the invitation email goes out with that stamp.
    """

    email = models.EmailField()
    state = models.CharField(max_length=2, choices=US_STATES)
    zip_code = models.CharField(max_length=5)
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(
        max_length=30, choices=LeadSource.choices, default=LeadSource.ELIGIBILITY_CHECK
    )
    application = models.ForeignKey(
        "PartnerApplication", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_for = models.CharField(max_length=150, blank=True, help_text=_("What opened."))
    language = models.CharField(
        max_length=10, blank=True, help_text=_("The language of the page they joined from.")
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["email", "zip_code"], name="lead_unique_email_zip"),
        ]
        indexes = [models.Index(fields=["state", "invited_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.zip_code})"


class ApplicationStatus(models.TextChoices):
    # Being filled in by the applicant; partial data allowed.
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    # Complete, waiting for a reviewer.
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    # A reviewer has picked it up.
    IN_REVIEW = "in_review", pgettext_lazy("application status", "In review")
    # Back with the applicant.
    INFO_REQUESTED = "info_requested", pgettext_lazy("application status", "Information requested")
    # A Partner was created from it.
    APPROVED = "approved", pgettext_lazy("application status", "Approved")
    # Final, with a reason.
    REJECTED = "rejected", pgettext_lazy("application status", "Not accepted")
    # Outside the area for now; kept as a lead.
    WAITLISTED = "waitlisted", pgettext_lazy("application status", "Waitlisted")
    # The applicant withdrew it.
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.IN_REVIEW, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.IN_REVIEW: frozenset(
        {
            ApplicationStatus.INFO_REQUESTED,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.INFO_REQUESTED: frozenset(
        {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.APPROVED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WAITLISTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}
APPLICATION_OPEN_STATUSES = frozenset(
    status for status, targets in APPLICATION_TRANSITIONS.items() if targets
)
APPLICATION_EDITABLE_STATUSES = frozenset(
    {ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED}
)


class BusinessType(models.TextChoices):
    FLORIST = "florist", _("Florist")
    COFFEE_SHOP = "coffee_shop", _("Coffee shop")
    CLOTHING = "clothing", _("Clothing store or boutique")
    CONVENIENCE = "convenience", _("Bodega or convenience store")
    SALON = "salon", _("Salon")
    OTHER = "other", _("Other")


class Weekday(models.TextChoices):
    # A context of their own: Django's lower-case day names (dates like "sábado 21 nov") stay.
    MON = "mon", pgettext_lazy("opening day", "Monday")
    TUE = "tue", pgettext_lazy("opening day", "Tuesday")
    WED = "wed", pgettext_lazy("opening day", "Wednesday")
    THU = "thu", pgettext_lazy("opening day", "Thursday")
    FRI = "fri", pgettext_lazy("opening day", "Friday")
    SAT = "sat", pgettext_lazy("opening day", "Saturday")
    SUN = "sun", pgettext_lazy("opening day", "Sunday")


DEFAULT_DAILY_CAPACITY = 30


class PartnerApplication(models.Model):
    """A business's application to become a partner. Every field but the owner may be empty
    while it is a draft; `application_submit` checks completeness."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    # The business
    legal_name = models.CharField(_("Business legal name"), max_length=200, blank=True)
    trade_name = models.CharField(
        _("Trade name"), max_length=200, blank=True, help_text=_("The name on your shop sign.")
    )
    business_type = models.CharField(max_length=20, choices=BusinessType.choices, blank=True)
    business_type_other = models.CharField(_("Other type"), max_length=100, blank=True)
    ein = models.CharField(_("EIN"), max_length=10, blank=True, help_text=_("Like 12-3456789."))
    years_in_business = models.PositiveSmallIntegerField(null=True, blank=True)
    owner_name = models.CharField(_("Owner's full name"), max_length=150, blank=True)
    owner_phone = models.CharField(_("Owner's phone"), max_length=20, blank=True)
    # Where it is
    address_line = models.CharField(_("Street address"), max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=US_STATES, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=5, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    market = models.ForeignKey(
        Market, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    # How it would work
    opening_days = models.JSONField(default=list, blank=True)
    opens_at = models.TimeField(_("Opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("Closes at"), null=True, blank=True)
    has_secure_storage = models.BooleanField(
        _("We have a secure storage area for packages"), default=False
    )
    storage_description = models.TextField(blank=True)
    storage_capacity = models.PositiveSmallIntegerField(
        _("Storage capacity (packages)"), null=True, blank=True
    )
    delivery_modes = models.JSONField(default=list, blank=True)
    daily_capacity = models.PositiveSmallIntegerField(
        _("Packages per day"), default=DEFAULT_DAILY_CAPACITY
    )
    staff_count = models.PositiveSmallIntegerField(
        _("People who would deliver"), null=True, blank=True
    )
    terms_accepted = models.BooleanField(_("I accept the program terms"), default=False)
    # Review
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
    )
    info_request = models.TextField(blank=True, help_text=_("What ops asked for, shown to them."))
    decision_reason = models.TextField(blank=True)
    partner = models.OneToOneField(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(daily_capacity__gte=MIN_DAILY_CAPACITY)
                & Q(daily_capacity__lte=MAX_DAILY_CAPACITY),
                name="application_daily_capacity_in_range",
            ),
            # One application in progress per owner; a new one may start after a final one.
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(status__in=sorted(APPLICATION_OPEN_STATUSES)),
                name="one_open_application_per_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return (
            self.trade_name
            or self.legal_name
            or gettext("Application %(number)s") % {"number": self.pk}
        )

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_editable(self) -> bool:
        return self.status in APPLICATION_EDITABLE_STATUSES

    @property
    def opening_days_display(self) -> str:
        labels = dict(Weekday.choices)
        return ", ".join(str(labels.get(day, day)) for day in self.opening_days)

    @property
    def delivery_modes_display(self) -> str:
        labels = dict(DeliveryMode.choices)
        return ", ".join(str(labels.get(mode, mode)) for mode in self.delivery_modes)

    @property
    def is_open(self) -> bool:
        return self.status in APPLICATION_OPEN_STATUSES


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    STORAGE_PHOTO = "storage_photo", _("Photo of the storage area")


def application_document_path(instance: "ApplicationDocument", filename: str) -> str:
    """A random name under MEDIA_ROOT/applications/: the applicant's file name is never used
    on disk (it is kept in `original_name` for display)."""
    import uuid

    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.content_type, "bin"
    )
    return f"applications/{uuid.uuid4().hex}.{extension}"


class ApplicationDocument(models.Model):
    """An uploaded document. Served only through an authenticated view, as an attachment."""

    application = models.ForeignKey(
        PartnerApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=application_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="one_document_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class ApplicationEventKind(models.TextChoices):
    """What an ApplicationEvent records; the label is what the history shows."""

    CREATED = "created", _("Application started")
    TRANSITION = "transition", _("Status changed")  # from_status -> to_status, with the reason
    DOCUMENT = "document", _("Document uploaded")  # the reason names which one
    ASSIGNED = "assigned", _("Assigned to a reviewer")


class ApplicationEvent(models.Model):
    """Append-only audit of an application: every transition, assignment and document."""

    application = models.ForeignKey(
        PartnerApplication, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(
        max_length=40, choices=ApplicationEventKind.choices, default=ApplicationEventKind.TRANSITION
    )
    from_status = models.CharField(max_length=20, blank=True, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=20, blank=True, choices=ApplicationStatus.choices)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["application", "created"])]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status} -> {self.to_status}"


class ApplicationNote(models.Model):
    """An ops-only note on an application. Never shown to the applicant."""

    application = models.ForeignKey(
        PartnerApplication, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"Note on {self.application}"
