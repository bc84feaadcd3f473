"""Forms of the partner's own pages and of ops' partner pages."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import (
    MAX_DAILY_CAPACITY,
    MIN_DAILY_CAPACITY,
    BackgroundCheck,
    DeliveryMode,
    PartnerStatus,
    Weekday,
)

WEEKDAYS = Weekday.choices


def capacity_range_text() -> str:
    return gettext("Between %(min)s and %(max)s.") % {
        "min": MIN_DAILY_CAPACITY,
        "max": MAX_DAILY_CAPACITY,
    }


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Full name"))
    email = forms.EmailField(
        label=_("Email"), help_text=_("They get a link to set their password.")
    )


class StaffJoinForm(forms.Form):
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Type it again"), widget=forms.PasswordInput)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", gettext("The two passwords differ."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"], self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ClosureForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day closed"), widget=forms.DateInput({"type": "date"})
    )
    end_date = forms.DateField(label=_("Last day closed"), widget=forms.DateInput({"type": "date"}))
    reason = forms.CharField(
        max_length=200, label=_("Reason"), help_text=_("For example: vacation.")
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext("The last day must be on or after the first day."))
        return data


class PartnerSettingsForm(forms.Form):
    daily_capacity = forms.IntegerField(
        min_value=MIN_DAILY_CAPACITY,
        max_value=MAX_DAILY_CAPACITY,
        label=_("Packages per day"),
        help_text=lazy(capacity_range_text, str)(),
    )
    storage_capacity = forms.IntegerField(
        min_value=1, max_value=1000, label=_("Storage capacity (packages)")
    )
    delivery_modes = forms.MultipleChoiceField(
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("How you deliver"),
    )
    opening_days = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, label=_("Open on"), required=False
    )
    opens_at = forms.TimeField(
        required=False, label=_("Opens at"), widget=forms.TimeInput({"type": "time"})
    )
    closes_at = forms.TimeField(
        required=False, label=_("Closes at"), widget=forms.TimeInput({"type": "time"})
    )

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", gettext("Closing time must be after opening time."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("Reason"), widget=forms.Textarea({"rows": 2}))


class PauseForm(ReasonForm):
    until = forms.DateField(
        required=False,
        label=_("Until (optional)"),
        widget=forms.DateInput({"type": "date"}),
        help_text=_("The partner resumes automatically on this date."),
    )


class BackgroundResultForm(forms.Form):
    result = forms.ChoiceField(
        choices=[
            (BackgroundCheck.CLEAR, BackgroundCheck.CLEAR.label),
            (BackgroundCheck.NOT_CLEAR, BackgroundCheck.NOT_CLEAR.label),
        ],
        label=_("Result"),
    )


class PartnerFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Status"))
    state = forms.CharField(required=False, max_length=2, label=_("State"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *PartnerStatus.choices]
