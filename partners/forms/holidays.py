"""Forms of the ops holiday calendar and of the closure allowance override."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.forms.partners import ClosureForm
from partners.models import US_STATES, HolidayKind, Market

ANY_STATE = [("", _("Any state"))]


class CalendarFilterForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("Year"))
    state = forms.ChoiceField(required=False, choices=[*ANY_STATE, *US_STATES], label=_("State"))
    market = forms.ModelChoiceField(
        required=False, queryset=Market.objects.order_by("name"), label=_("Market"),
        empty_label=_("Any market"),
    )  # fmt: skip
    kind = forms.ChoiceField(
        required=False, choices=[("", _("Any kind")), *HolidayKind.choices], label=_("Kind")
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        market = data.get("market")
        return {
            "year": data.get("year") or timezone.localdate().year,
            "state": data.get("state", ""),
            "market_id": market.pk if market else None,
            "kind": data.get("kind", ""),
        }


class HolidayAddForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    name = forms.CharField(max_length=100, label=_("Name"), help_text=_("For example: Storm."))
    kind = forms.ChoiceField(
        choices=[(HolidayKind.AD_HOC, HolidayKind.AD_HOC.label),
                 (HolidayKind.STATE, HolidayKind.STATE.label)],
        label=_("Kind"),
    )  # fmt: skip
    state = forms.ChoiceField(
        required=False, choices=[("", _("No state")), *US_STATES], label=_("State")
    )
    market = forms.ModelChoiceField(
        required=False, queryset=Market.objects.order_by("name"), label=_("Market"),
        empty_label=_("No market"),
    )  # fmt: skip
    reason = forms.CharField(max_length=200, label=_("Reason"))


class SwitchOffForm(forms.Form):
    reason = forms.CharField(max_length=200, label=_("Reason to deliver that day"))


class ClosureOverrideForm(ClosureForm):
    override_reason = forms.CharField(max_length=200, label=_("Reason to go past the allowance"))
