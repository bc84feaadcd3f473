from django.db import models
from django.db.models import Q


class WeeklyStatement(models.Model):
    """A partner's earnings for one Monday-Sunday week of service dates (the partner's own
    local dates). Computed by dashboard.services.weekly_statements_compute: re-running a week
    replaces its row, never adds one."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="weekly_statements"
    )
    week_start = models.DateField(help_text="The Monday.")
    week_end = models.DateField(help_text="The Sunday.")
    packages = models.PositiveIntegerField(default=0, help_text="Packages due that week.")
    delivered = models.PositiveIntegerField(default=0)
    rate_per_package = models.DecimalField(max_digits=6, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    computed_at = models.DateTimeField()

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
