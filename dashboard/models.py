from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WeeklyStatement(models.Model):
    """A partner's earnings for one Monday-Sunday week of service dates (the partner's own
    local dates). Computed by dashboard.services.weekly_statements_compute: re-running a week
    replaces its row, never adds one."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="weekly_statements"
    )
    week_start = models.DateField(help_text=_("The Monday."))
    week_end = models.DateField(help_text=_("The Sunday."))
    packages = models.PositiveIntegerField(default=0, help_text=_("Packages due that week."))
    delivered = models.PositiveIntegerField(default=0)
    rate_per_package = models.DecimalField(max_digits=6, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    adjustments_total = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text=_("Credits less debits.")
    )
    computed_at = models.DateTimeField()
    paid_reference = models.CharField(max_length=100, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-week_start", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "week_start"], name="one_statement_per_partner_week"
            ),
            models.CheckConstraint(
                condition=Q(week_end__gt=models.F("week_start")),
                name="statement_week_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} week of {self.week_start}"

    @property
    def total(self):
        return self.amount + self.adjustments_total

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class MarketRate(models.Model):
    """A market's rate per delivered package from a local date on; each delivery is priced at
    the rate in force on its service date. Rows are never edited: the history is the audit
    (who set which rate, when, replacing which)."""

    market = models.ForeignKey("partners.Market", on_delete=models.CASCADE, related_name="rates")
    rate_per_package = models.DecimalField(max_digits=6, decimal_places=2)
    previous_rate = models.DecimalField(max_digits=6, decimal_places=2)
    effective_from = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["market_id", "-effective_from", "-pk"]
        indexes = [models.Index(fields=["market", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.market_id}: {self.rate_per_package} from {self.effective_from}"


class StatementLine(models.Model):
    """One delivered package of a statement, at the rate it was priced: what the statement
    paid, kept when rates change later."""

    statement = models.ForeignKey(WeeklyStatement, on_delete=models.CASCADE, related_name="lines")
    package = models.ForeignKey("packages.Package", on_delete=models.PROTECT, related_name="+")
    tracking_id = models.CharField(max_length=40)
    service_date = models.DateField()
    rate = models.DecimalField(max_digits=6, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["service_date", "tracking_id"]

    def __str__(self) -> str:
        return f"{self.tracking_id} on {self.service_date}"


class StatementAdjustment(models.Model):
    """A credit (positive) or debit (negative) on a partner's week, by an ops admin; the row is
    its own audit."""

    statement = models.ForeignKey(
        WeeklyStatement, on_delete=models.PROTECT, related_name="adjustments"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on statement {self.statement_id}"


class NotificationKind(models.TextChoices):
    TOMORROW_VOLUME = (
        "tomorrow-volume",
        _("Tomorrow's packages, the evening before"),
    )  # partner owner
    OPS_DAILY_DIGEST = "ops-daily-digest", _("Ops daily digest")  # ops roles
    WEEKLY_STATEMENT = "weekly-statement", _("Weekly statement")  # partner owner


class NotificationPreference(models.Model):
    """Which optional emails a user receives; no row means all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    tomorrow_volume = models.BooleanField(
        _("Tomorrow's packages, the evening before"), default=True
    )
    ops_daily_digest = models.BooleanField(_("Ops daily digest"), default=True)
    weekly_statement = models.BooleanField(_("Weekly statement"), default=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notifications of {self.user_id}"


class NotificationSent(models.Model):
    """One row per (kind, recipient, period), written in the same transaction as the queued
    email: a retried or redelivered task finds the row and sends nothing."""

    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=20, help_text=_("The day or the week's Monday, ISO."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "period"], name="one_notification_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} for {self.period}"


class DailyFacts(models.Model):
    """The dashboard's counts of one partner's packages from one DSP on one service date (the
    partner's local date, as on the manifest). Rolled up from the packages by
    dashboard.services.facts_refresh, so a month of dashboard reads a few thousand of these
    rows instead of every package with its scans and attempts. Each count follows the
    definitions in dashboard.selectors.operations; `partner` is empty for packages no
    partner holds."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, null=True, related_name="+"
    )
    dsp = models.ForeignKey("packages.Dsp", on_delete=models.CASCADE, related_name="+")
    service_date = models.DateField()
    manifested = models.PositiveIntegerField(default=0)
    handed_off = models.PositiveIntegerField(default=0)
    scanned = models.PositiveIntegerField(default=0)
    received_ok = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    attempted = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    damaged = models.PositiveIntegerField(default=0)
    first_attempted = models.PositiveIntegerField(default=0)
    first_delivered = models.PositiveIntegerField(default=0)
    fast_scans = models.PositiveIntegerField(default=0)
    success_handled = models.PositiveIntegerField(default=0)
    success_delivered = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["service_date", "partner_id", "dsp_id"]
        verbose_name_plural = _("daily facts")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "dsp", "service_date"], name="one_facts_row_per_partner_dsp_day"
            ),
        ]
        indexes = [models.Index(fields=["service_date", "partner"])]

    def __str__(self) -> str:
        return f"{self.partner_id} / {self.dsp_id} on {self.service_date}"


class FactsRollup(models.Model):
    """The one row saying how far dashboard.services.facts_refresh has read: the package
    event and package ids up to which every row has certainly been rolled up (the
    watermark), and the highest ids of recent roll-ups, which become the watermark once old
    enough. Its lock serialises roll-ups."""

    event_id = models.BigIntegerField(default=0)
    package_id = models.BigIntegerField(default=0)
    pending = models.JSONField(
        default=list, help_text="[[seen at (ISO), highest event id, highest package id], ...]"
    )
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Facts up to event {self.event_id}, package {self.package_id}"
