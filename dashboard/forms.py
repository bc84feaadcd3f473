import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.selectors import DashboardFilters
from dashboard.selectors.audit import AuditFilters
from dashboard.selectors.audit import kind_choices as audit_kind_choices
from hubdelivery.lib.dates import local_date
from partners.models import US_STATES, Market

# Ops's "today": the eastern date, the first US zone to start a new day (every partner's
# service date for it already exists by then).
OPS_TIME_ZONE = "America/New_York"
DEFAULT_DAYS = 7
MAX_DAYS = 92


def default_filters() -> DashboardFilters:
    today = local_date(tz_name=OPS_TIME_ZONE)
    return DashboardFilters(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(
        choices=[("", gettext_lazy("All states")), *US_STATES],
        required=False,
        label=gettext_lazy("State"),
    )
    market = forms.ModelChoiceField(
        queryset=Market.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All markets"),
        label=gettext_lazy("Market"),
    )

    def clean(self) -> dict:
        data = super().clean()
        defaults = default_filters()
        date_to = data.get("date_to") or defaults.date_to
        date_from = data.get("date_from") or date_to - (defaults.date_to - defaults.date_from)
        if date_from > date_to:
            raise forms.ValidationError(_("The start date comes after the end date."))
        if (date_to - date_from).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> DashboardFilters:
        """The chosen filters; call after is_valid() returned True."""
        data = self.cleaned_data
        market = data.get("market")
        return DashboardFilters(
            data["date_from"], data["date_to"], data.get("state", ""), market.pk if market else None
        )


class StatementWeekForm(forms.Form):
    week = forms.DateField(
        label=gettext_lazy("Week starting (a Monday)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_week(self) -> datetime.date:
        week = self.cleaned_data["week"]
        if week.weekday() != 0:
            raise forms.ValidationError(_("Statement weeks start on a Monday."))
        return week


class NotificationPreferenceForm(forms.Form):
    """The optional emails (each person sees all three; only their roles receive each)."""

    tomorrow_volume = forms.BooleanField(
        required=False,
        label=gettext_lazy("Tomorrow's packages, the evening before (partner owners)"),
    )
    weekly_statement = forms.BooleanField(
        required=False,
        label=gettext_lazy("The weekly statement, on Mondays (partner owners)"),
    )
    ops_daily_digest = forms.BooleanField(
        required=False,
        label=gettext_lazy("The ops daily digest: yesterday's operations and open findings"),
    )


class MarketRateForm(forms.Form):
    rate_per_package = forms.DecimalField(
        label=gettext_lazy("Rate per delivered package (USD)"),
        max_digits=6,
        decimal_places=2,
    )
    effective_from = forms.DateField(
        label=gettext_lazy("In force from (local date)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class StatementAdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (USD): positive for a credit, negative for a debit"),
        max_digits=10,
        decimal_places=2,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class StatementPaidForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Payment reference"), max_length=100)


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET); every field optional."""

    actor = forms.CharField(label=gettext_lazy("Who (email)"), required=False, max_length=254)
    kind = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    subject = forms.CharField(label=gettext_lazy("Object"), required=False, max_length=200)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext_lazy("Everything")), *audit_kind_choices()]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor=data["actor"].strip(),
            kind=data["kind"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            subject=data["subject"].strip(),
        )
