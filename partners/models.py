from django.conf import settings
from django.db import models
from django.db.models import Q


class PartnerStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"  # approved, checklist not yet complete
    ACTIVE = "active", "Active"  # receives packages
    PAUSED = "paused", "Paused"  # temporarily receives nothing (closure, vacation)
    OFFBOARDED = "offboarded", "Offboarded"  # left the program; kept for history


class DeliveryMode(models.TextChoices):
    WALK = "walk", "On foot"
    BIKE = "bike", "Bike"
    CAR = "car", "Car"


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
    time_zone = models.CharField(max_length=64, help_text="IANA name, from the ZIP code.")
    daily_capacity = models.PositiveSmallIntegerField(default=30)
    storage_capacity = models.PositiveSmallIntegerField(default=40)
    delivery_modes = models.JSONField(default=list, help_text="Subset of walk, bike, car.")
    opening_days = models.JSONField(default=list, help_text="Weekday codes: mon, tue, ... sun.")
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


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    STAFF = "staff", "Staff"


class BackgroundCheck(models.TextChoices):
    NOT_STARTED = "not_started", "Consent not yet given"  # the person has not consented
    PENDING = "pending", "Check in progress"  # consent recorded, result awaited from ops
    CLEAR = "clear", "Clear"  # may deliver
    NOT_CLEAR = "not_clear", "Not clear"  # may not deliver


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
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.partner}"

    @property
    def may_deliver(self) -> bool:
        return self.removed_at is None and self.background_check == BackgroundCheck.CLEAR


class PartnerEvent(models.Model):
    """Append-only audit of a partner: status changes, checklist items, settings changes.

    `from_status`/`to_status` are equal when the status did not change (a checklist tick or a
    settings change); `detail` holds what changed in words.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
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
