import uuid

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from packages.models import (
    RECEIVING_PARTNER_STATUSES,
    AttemptReason,
    Dsp,
    HandoffDirection,
    HandoffStatus,
    IncidentResolution,
)
from packages.services.manifests import MAX_CSV_BYTES, MAX_MANIFEST_ROWS
from partners.models import Partner


class ManifestUploadForm(forms.Form):
    dsp = forms.ModelChoiceField(queryset=Dsp.objects.all(), label="DSP")
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.filter(status__in=RECEIVING_PARTNER_STATUSES),
        required=False,
        label=_("Partner"),
        empty_label=_("None: routing assigns each package"),
        help_text=_("Leave empty for a DSP-level manifest of an area."),
    )
    service_date = forms.DateField(
        label=_("Service date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("In the partner's time zone (without a partner: the first package's ZIP's)."),
    )
    external_id = forms.CharField(
        max_length=100, label=_("Manifest id"), help_text=_("The DSP's id for this manifest.")
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _(
                "UTF-8, header line: tracking_id, recipient_name, address_line, city, zip_code, "
                "latitude, longitude, size. At most {rows} rows and {megabytes} MB."
            ),
            rows=MAX_MANIFEST_ROWS,
            megabytes=MAX_CSV_BYTES // 1024 // 1024,
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


# ------------------------------------------------------------------------------
# Handoffs and deliveries (issue 6). Every action form carries an idempotency key: the page's
# JavaScript replaces it with crypto.randomUUID() on each submit; without JavaScript the key
# the server put in the page is used, so a resubmitted form is still answered only once.
# ------------------------------------------------------------------------------
def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class ActionForm(forms.Form):
    idempotency_key = forms.CharField(
        max_length=100, widget=forms.HiddenInput, initial=new_idempotency_key
    )
    device_time = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class HandoffOpenForm(ActionForm):
    """The lists offer where a handoff can open now (`offer`); any partner or DSP posted is
    passed on, so that handoff_open gives its reason for refusing, the same as the API's."""

    direction = forms.ChoiceField(choices=HandoffDirection.choices, widget=forms.HiddenInput)
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(), required=False, label=_("Partner")
    )
    dsp = forms.ModelChoiceField(queryset=Dsp.objects.all(), required=False, label="DSP")

    def offer(self, *, partners: list[Partner] | None, dsps: list[Dsp] | None) -> None:
        """Show only these in the lists (the choices, not what validation accepts)."""
        empty = [("", "---------")]
        self.fields["partner"].choices = empty + [(p.pk, str(p)) for p in partners or []]
        self.fields["dsp"].choices = empty + [(d.pk, str(d)) for d in dsps or []]


class ScanForm(ActionForm):
    ACTIONS = (("receive", _("Received")), ("damaged", _("Damaged")), ("missing", _("Missing")))

    tracking_id = forms.CharField(
        max_length=40,
        label=_("Tracking id"),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "send",
            }
        ),
    )
    action = forms.ChoiceField(choices=ACTIONS, required=False)


class LabelForm(forms.Form):
    tracking_id = forms.CharField(
        max_length=40,
        label=_("Package label"),
        help_text=_("Scan or type the label first, so you deliver the right package."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "enterkeyhint": "go"}
        ),
    )


class DeliverForm(ActionForm):
    photo = forms.FileField(
        required=False,
        label=_("Photo of the package at the door"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    recipient_name = forms.CharField(max_length=150, required=False, label=_("Handed to (name)"))
    safe_place_note = forms.CharField(
        max_length=300, required=False, label=_("Left at (safe place)")
    )
    # No proof check here: package_deliver refuses a delivery without proof, with the same
    # words on every path.


class AttemptForm(ActionForm):
    # Optional here: package_attempt refuses an attempt without a reason, on every path.
    reason = forms.ChoiceField(
        choices=[("", _("Choose a reason")), *AttemptReason.choices],
        required=False,
        label=_("Why not delivered"),
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note (optional)"))


class DayCloseForm(ActionForm):
    kept_safe = forms.BooleanField(
        label=_("These packages are in our secure storage area for the driver"),
        error_messages={"required": _("Put the packages in the secure storage area, then tick.")},
    )


class IncidentResolveForm(ActionForm):
    resolution = forms.ChoiceField(choices=IncidentResolution.choices, label=_("Resolution"))
    note = forms.CharField(max_length=500, required=False, label=_("Note"))


class HandoffFilterForm(forms.Form):
    """The ops handoff list's filters (GET): status and a range of service dates."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *HandoffStatus.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict:
        """The valid filters as the selector's arguments; none when the input is bad."""
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class IncidentFilterForm(forms.Form):
    """The incident queue's filter (GET): one failure reason."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("All reasons")), *AttemptReason.choices], required=False
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}
