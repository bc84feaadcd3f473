from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The pilot's longest delivery radius (by car), and the default radius of each delivery mode.
MAX_RADIUS_MILES = 10.0
MODE_RADIUS_MILES = {"walk": 1.0, "bike": 3.0, "car": 10.0}


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
    OVER_DAILY_CAPACITY = "over_daily_capacity", _("More packages than the daily capacity")
    OVER_STORAGE = "over_storage", _("More packages than the storage area holds")
    CLOSED = "closed", _("Packages on a day the partner is closed")
    HOLIDAY = "holiday", _("Packages on a major holiday")
    STALE_PACKAGES = "stale_packages", _("Packages held past their service date")
    HANDOFF_NOT_CLOSED = "handoff_not_closed", _("Handoff left open")
    LOW_SUCCESS = "low_success", _("Delivery success below target")
    UNDER_USED = "under_used", _("Used below half its capacity")


class CapacityFinding(models.Model):
    """One thing ops should look at, with the action the check suggests."""

    # No index of its own on report or neighbour: the unique constraint leads with the report,
    # and few findings name a neighbour (a night writes tens of thousands of findings).
    # No database constraint on the three keys (db_constraint=False): findings are a report the
    # check rewrites whole each night, in one transaction that holds the report's lock and has
    # just read every partner it names; the deferred key checks of tens of thousands of rows
    # were a quarter of the check's time (docs/performance.md, "Capacity check"). Django still
    # deletes a report's or a partner's findings with them (on_delete).
    report = models.ForeignKey(
        CapacityReport,
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
        db_constraint=False,
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="capacity_findings",
        db_constraint=False,
    )
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    message = models.CharField(max_length=300)
    suggested_action = models.CharField(max_length=300)
    packages = models.PositiveIntegerField(default=0, help_text=_("Packages the finding concerns."))
    neighbour = models.ForeignKey(
        "partners.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text=_("The partner suggested to take the overflow."),
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
        indexes = [
            models.Index(
                fields=["neighbour"],
                condition=Q(neighbour__isnull=False),
                name="finding_neighbour_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.partner_id}"


class PartnerRoute(models.Model):
    """A partner's stop order for one service date: from the shop through every package's
    address and back. The packages' `route_sequence` mirrors the stops' order."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="routes")
    service_date = models.DateField()
    total_distance_m = models.PositiveIntegerField(default=0)
    address_order_distance_m = models.PositiveIntegerField(default=0)
    distance_source = models.CharField(max_length=40, default="haversine")
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["-service_date", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "service_date"], name="one_route_per_partner_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Route {self.partner_id} {self.service_date}"


class RouteStop(models.Model):
    route = models.ForeignKey(PartnerRoute, on_delete=models.CASCADE, related_name="stops")
    package = models.ForeignKey(
        "packages.Package", on_delete=models.CASCADE, related_name="route_stops"
    )
    sequence = models.PositiveIntegerField()
    leg_distance_m = models.PositiveIntegerField(
        help_text=_("From the previous stop (or the shop).")
    )

    class Meta:
        ordering = ["route", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["route", "sequence"], name="one_stop_per_sequence"),
            models.UniqueConstraint(fields=["route", "package"], name="one_stop_per_package"),
        ]

    def __str__(self) -> str:
        return f"Stop {self.sequence} of {self.route}"


class DropOffRoute(models.Model):
    """The order in which a DSP's drivers visit the day's partners from a station."""

    station = models.ForeignKey(
        "packages.Station", on_delete=models.CASCADE, related_name="dropoff_routes"
    )
    service_date = models.DateField()
    total_distance_m = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["-service_date", "station_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "service_date"], name="one_dropoff_route_per_station_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Drop-off route {self.station_id} {self.service_date}"


class DropOffStop(models.Model):
    route = models.ForeignKey(DropOffRoute, on_delete=models.CASCADE, related_name="stops")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    leg_distance_m = models.PositiveIntegerField()
    packages = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["route", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "sequence"], name="one_dropoff_stop_per_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"Drop-off stop {self.sequence} of {self.route}"


class Coverage(models.Model):
    """Where a partner delivers: packages whose ZIP is listed or that lie within the radius of
    the shop. A partner without a row covers the default radius of its delivery modes."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="coverage"
    )
    zip_codes = models.JSONField(default=list, blank=True, help_text=_("5-digit ZIP strings."))
    radius_miles = models.FloatField(help_text=_("Around the shop; 0 = listed ZIPs only."))
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partner_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_miles__gte=0) & Q(radius_miles__lte=MAX_RADIUS_MILES),
                name="coverage_radius_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Coverage of {self.partner_id}"


class ZipMove(models.Model):
    """A capacity finding applied: the from-partner's packages of some ZIPs on one service
    date moved to the neighbour the finding named, until undone.

    The finding is named by its report, partner and kind (unique per report) rather than by
    a key: a re-run of the check replaces its findings with one DELETE, which a key pointing
    at them would turn into a read and an update of every finding (tens of thousands).
    """

    report = models.ForeignKey(CapacityReport, on_delete=models.PROTECT, related_name="zip_moves")
    finding_kind = models.CharField(max_length=30, choices=FindingKind.choices)
    partner_from = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="zip_moves_out"
    )
    partner_to = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="zip_moves_in"
    )
    zip_codes = models.JSONField(default=list, help_text=_("5-digit ZIP strings."))
    service_date = models.DateField()
    packages = models.ManyToManyField(
        "packages.Package", through="ZipMovePackage", related_name="zip_moves"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            # Applying a finding twice is refused; once undone it may be applied again.
            models.UniqueConstraint(
                fields=["report", "partner_from", "finding_kind"],
                condition=Q(undone_at__isnull=True),
                name="one_active_zip_move_per_finding",
            ),
            models.CheckConstraint(
                condition=~Q(partner_from=models.F("partner_to")),
                name="zip_move_to_another_partner",
            ),
        ]

    def __str__(self) -> str:
        zips = ", ".join(self.zip_codes)
        return f"ZIPs {zips} {self.service_date}: {self.partner_from_id} -> {self.partner_to_id}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None


class ZipMovePackage(models.Model):
    """One package a ZipMove moved, with what undoing it restores."""

    move = models.ForeignKey(ZipMove, on_delete=models.CASCADE, related_name="moved")
    package = models.ForeignKey(
        "packages.Package", on_delete=models.PROTECT, related_name="zip_move_rows"
    )
    # Whether routing had placed it (it may place it again once the move is undone).
    was_assigned_by_routing = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["move", "package"], name="one_row_per_moved_package"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} in {self.move_id}"
