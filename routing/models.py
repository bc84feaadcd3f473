from django.db import models
from django.db.models import Q


class CapacityReport(models.Model):
    """The nightly capacity check of one service date for the partners of one time zone.

    Unique per (service date, time zone): re-running the check replaces the findings of this
    row instead of adding a second report, and the hourly guard can see which nights ran.
    """

    service_date = models.DateField()
    time_zone = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    partners_checked = models.PositiveIntegerField(default=0)
    packages_assigned = models.PositiveIntegerField(default=0)
    is_holiday = models.BooleanField(default=False)
    holiday_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-service_date", "time_zone"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_date", "time_zone"], name="one_capacity_report_per_date_zone"
            ),
        ]

    def __str__(self) -> str:
        return f"Capacity {self.service_date} {self.time_zone}"


class FindingKind(models.TextChoices):
    OVER_DAILY_CAPACITY = "over_daily_capacity", "More packages than the daily capacity"
    OVER_STORAGE = "over_storage", "More packages than the storage area holds"
    CLOSED = "closed", "Packages on a day the partner is closed"
    HOLIDAY = "holiday", "Packages on a major holiday"
    STALE_PACKAGES = "stale_packages", "Packages held past their service date"
    HANDOFF_NOT_CLOSED = "handoff_not_closed", "Handoff left open"
    LOW_SUCCESS = "low_success", "Delivery success below target"
    UNDER_USED = "under_used", "Used below half its capacity"


class CapacityFinding(models.Model):
    """One thing ops should look at, with the action the check suggests."""

    report = models.ForeignKey(CapacityReport, on_delete=models.CASCADE, related_name="findings")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="capacity_findings"
    )
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    message = models.CharField(max_length=300)
    suggested_action = models.CharField(max_length=300)
    packages = models.PositiveIntegerField(default=0, help_text="Packages the finding concerns.")
    neighbour = models.ForeignKey(
        "partners.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner suggested to take the overflow.",
    )
    zip_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["kind", "partner_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FindingKind.values), name="finding_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["report", "partner", "kind"], name="one_finding_per_partner_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.partner_id}"
