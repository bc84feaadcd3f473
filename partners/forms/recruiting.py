"""Forms for recruiting and review. The application draft is a ModelForm in which every field
is optional (a draft saves partial data); what is typed is checked as soon as it is typed,
and completeness is checked by `application_submit`."""

from typing import Any

import filetype
import phonenumbers
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.us import ein as stdnum_ein

from hubdelivery.lib.zipdata import zip_lookup
from partners.models import (
    DEFAULT_DAILY_CAPACITY,
    DEFAULT_MARKET_RADIUS_MILES,
    MAX_DAILY_CAPACITY,
    MIN_DAILY_CAPACITY,
    US_STATES,
    ApplicationStatus,
    BusinessType,
    DeliveryMode,
    DocumentKind,
    PartnerApplication,
    Weekday,
)
from partners.services.applications import APPLICATION_FORM_FIELDS

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def zip_clean(value: str) -> str:
    value = (value or "").strip()
    if zip_lookup(value) is None:
        raise forms.ValidationError(
            gettext("Enter a 5-digit US ZIP code, like 02116. We could not find this one.")
        )
    return value[:5]


def document_content_type(upload: UploadedFile) -> str:
    """The upload's type from its content (never its name); raises ValidationError unless it
    is a PDF, JPEG or PNG of at most 10 MB."""
    if upload.size and upload.size > DOCUMENT_MAX_BYTES:
        megabytes = upload.size / (1024 * 1024)
        raise forms.ValidationError(
            gettext("The file is %(size)s MB; the limit is 10 MB.")
            % {"size": formats.number_format(megabytes, 1)}
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in DOCUMENT_TYPES:
        raise forms.ValidationError(
            gettext("Upload a PDF, JPEG or PNG file. This file is none of those.")
        )
    return kind.mime


def daily_capacity_help() -> str:
    return gettext("Between %(min)s and %(max)s; most partners do 30.") % {
        "min": MIN_DAILY_CAPACITY,
        "max": MAX_DAILY_CAPACITY,
    }


class EligibilityForm(forms.Form):
    zip_code = forms.CharField(
        label=_("Your business's ZIP code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "placeholder": "02116"}
        ),
    )

    def clean_zip_code(self) -> str:
        return self.cleaned_data["zip_code"].strip()


class WaitlistForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    zip_code = forms.CharField(label=_("Business ZIP code"), max_length=10)

    def clean_zip_code(self) -> str:
        return zip_clean(self.cleaned_data["zip_code"])


class ApplicationForm(forms.ModelForm):
    """The application draft. Documents are extra fields, stored by the view via the
    `application_document_attach` service (also when other fields have errors)."""

    opening_days = forms.MultipleChoiceField(
        label=_("Opening days"),
        choices=Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    delivery_modes = forms.MultipleChoiceField(
        label=_("How you would deliver"),
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    daily_capacity = forms.IntegerField(
        label=_("Packages per day"),
        min_value=MIN_DAILY_CAPACITY,
        max_value=MAX_DAILY_CAPACITY,
        required=False,
        help_text=lazy(daily_capacity_help, str)(),
    )
    years_in_business = forms.IntegerField(
        label=_("Years in business"), min_value=0, max_value=200, required=False
    )
    storage_capacity = forms.IntegerField(
        label=_("Storage capacity (packages)"), min_value=1, max_value=1000, required=False
    )
    staff_count = forms.IntegerField(
        label=_("People who would deliver"), min_value=1, max_value=200, required=False
    )
    business_licence = forms.FileField(
        label=DocumentKind.BUSINESS_LICENCE.label,
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
    )
    storage_photo = forms.FileField(
        label=DocumentKind.STORAGE_PHOTO.label,
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
    )

    class Meta:
        model = PartnerApplication
        fields = APPLICATION_FORM_FIELDS
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "owner_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "zip_code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
            ),
            "storage_description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "business_type": _("Business type"),
            "city": _("City"),
            "state": _("State"),
            "storage_description": _("Storage description"),
        }
        help_texts = {
            "storage_description": _("Where packages would be kept, and how it is locked."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document_types: dict[str, str] = {}
        self.fields["business_type"].choices = [("", _("Choose…")), *BusinessType.choices]
        self.fields["state"].choices = [("", _("Choose…")), *US_STATES]
        if self.instance.pk and self.instance.daily_capacity is None:
            self.initial["daily_capacity"] = DEFAULT_DAILY_CAPACITY

    def clean_ein(self) -> str:
        value = self.cleaned_data["ein"].strip()
        if not value:
            return ""
        try:
            return stdnum_ein.format(stdnum_ein.validate(value))
        except StdnumValidationError as error:
            raise forms.ValidationError(
                gettext(
                    "Enter the 9-digit Employer Identification Number from the IRS, "
                    "like 12-3456789."
                )
            ) from error

    def clean_owner_phone(self) -> str:
        value = self.cleaned_data["owner_phone"].strip()
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException as error:
            raise forms.ValidationError(
                gettext("Enter a US phone number, like (617) 555-0123.")
            ) from error
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(gettext("This is not a valid phone number."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_zip_code(self) -> str:
        value = self.cleaned_data["zip_code"].strip()
        return zip_clean(value) if value else ""

    def clean_daily_capacity(self) -> int:
        value = self.cleaned_data["daily_capacity"]
        return DEFAULT_DAILY_CAPACITY if value is None else value

    def _clean_document(self, name: str) -> UploadedFile | None:
        upload = self.cleaned_data.get(name)
        if upload:
            self.document_types[name] = document_content_type(upload)
        return upload

    def clean_business_licence(self) -> UploadedFile | None:
        return self._clean_document("business_licence")

    def clean_storage_photo(self) -> UploadedFile | None:
        return self._clean_document("storage_photo")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        place = zip_lookup(data.get("zip_code") or "")
        if place and data.get("state") and place.state != data["state"]:
            self.add_error(
                "zip_code",
                gettext("ZIP %(zip)s is in %(state)s, not %(chosen)s.")
                % {"zip": place.zip_code, "state": place.state, "chosen": data["state"]},
            )
        if place and not data.get("city"):
            data["city"] = place.city
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", gettext("Closing time must be after opening time."))
        return data

    def valid_documents(self) -> list[tuple[DocumentKind, UploadedFile, str]]:
        """The uploads that passed their own checks, even when another field has an error."""
        cleaned = getattr(self, "cleaned_data", {})
        return [
            (DocumentKind(name), cleaned[name], self.document_types[name])
            for name in ("business_licence", "storage_photo")
            if cleaned.get(name) and name in self.document_types
        ]

    def draft_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in APPLICATION_FORM_FIELDS}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# ------------------------------------------------------------------------------
# Review
# ------------------------------------------------------------------------------
class ReviewFilterForm(forms.Form):
    AGE_CHOICES = [
        ("", _("Any age")),
        ("overdue", _("Waiting over 3 business days")),
        ("7", _("Submitted 7+ days ago")),
        ("30", _("Submitted 30+ days ago")),
    ]
    SORT_CHOICES = [
        ("oldest", _("Oldest first")),
        ("newest", _("Newest first")),
        ("name", _("Business name")),
        ("state", _("State")),
    ]
    STATUS_CHOICES = [
        ("", _("Waiting (submitted, in review, info requested)")),
        *[(s.value, s.label) for s in ApplicationStatus if s != ApplicationStatus.DRAFT],
    ]

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *US_STATES], required=False
    )
    market = forms.TypedChoiceField(label=_("Market"), coerce=int, required=False, empty_value=None)
    business_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *BusinessType.choices], required=False
    )
    age = forms.ChoiceField(label=_("Age"), choices=AGE_CHOICES, required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, markets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", _("All markets")), *markets]


class DecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("request_info", _("Ask for information")),
        ("waitlist", _("Waitlist")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or message to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject (the reason) and to ask for information (the question)."),
    )
    expected_status = forms.ChoiceField(choices=ApplicationStatus.choices, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision, reason = data.get("decision"), (data.get("reason") or "").strip()
        if decision == "reject" and not reason:
            self.add_error(
                "reason", gettext("Give the reason for rejecting; the applicant is told.")
            )
        if decision == "request_info" and not reason:
            self.add_error("reason", gettext("Write what the applicant should add or change."))
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (ops only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


# ------------------------------------------------------------------------------
# Markets and target states
# ------------------------------------------------------------------------------
class MarketForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    center_zip = forms.CharField(
        label=_("Centre ZIP code"),
        max_length=10,
        help_text=_("The market is centred on its centroid."),
    )
    radius_miles = forms.IntegerField(
        label=_("Radius (miles)"), min_value=1, max_value=100, initial=DEFAULT_MARKET_RADIUS_MILES
    )

    def clean_center_zip(self) -> str:
        return zip_clean(self.cleaned_data["center_zip"])


class TargetStateForm(forms.Form):
    code = forms.ChoiceField(label=_("State"), choices=[("", _("Choose…")), *US_STATES])


class WaitlistFilterForm(forms.Form):
    """The waitlist demand page's filter (GET): the ZIP table of one state."""

    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *US_STATES], required=False
    )
