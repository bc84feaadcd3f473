"""Forms of the partner's own pages and of ops' partner pages."""

from django import forms
from django.contrib.auth.password_validation import validate_password

from partners.models import (
    MAX_DAILY_CAPACITY,
    MIN_DAILY_CAPACITY,
    BackgroundCheck,
    DeliveryMode,
    PartnerStatus,
)

WEEKDAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email", help_text="They get a link to set their password.")


class StaffJoinForm(forms.Form):
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Type it again", widget=forms.PasswordInput)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif data.get("password1"):
            try:
                validate_password(data["password1"], self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ClosureForm(forms.Form):
    start_date = forms.DateField(label="First day closed", widget=forms.DateInput({"type": "date"}))
    end_date = forms.DateField(label="Last day closed", widget=forms.DateInput({"type": "date"}))
    reason = forms.CharField(max_length=200, label="Reason", help_text="For example: vacation.")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day must be on or after the first day.")
        return data


class PartnerSettingsForm(forms.Form):
    daily_capacity = forms.IntegerField(
        min_value=MIN_DAILY_CAPACITY,
        max_value=MAX_DAILY_CAPACITY,
        label="Packages per day",
        help_text=f"Between {MIN_DAILY_CAPACITY} and {MAX_DAILY_CAPACITY}.",
    )
    storage_capacity = forms.IntegerField(
        min_value=1, max_value=1000, label="Storage capacity (packages)"
    )
    delivery_modes = forms.MultipleChoiceField(
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
        label="How you deliver",
    )
    opening_days = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, label="Open on", required=False
    )
    opens_at = forms.TimeField(
        required=False, label="Opens at", widget=forms.TimeInput({"type": "time"})
    )
    closes_at = forms.TimeField(
        required=False, label="Closes at", widget=forms.TimeInput({"type": "time"})
    )

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "Closing time must be after opening time.")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason", widget=forms.Textarea({"rows": 2}))


class PauseForm(ReasonForm):
    until = forms.DateField(
        required=False,
        label="Until (optional)",
        widget=forms.DateInput({"type": "date"}),
        help_text="The partner resumes automatically on this date.",
    )


class BackgroundResultForm(forms.Form):
    result = forms.ChoiceField(
        choices=[(BackgroundCheck.CLEAR, "Clear"), (BackgroundCheck.NOT_CLEAR, "Not clear")],
        label="Result",
    )


class PartnerFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label="Status")
    state = forms.CharField(required=False, max_length=2, label="State")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *PartnerStatus.choices]
