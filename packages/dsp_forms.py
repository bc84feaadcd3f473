"""The DSP key pages' forms. They only collect input: the rules (a name's length, the overlap
choices) live in packages/services/tokens.py, whose InvalidInput names the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from packages.services.tokens import LABEL_MAX_LENGTH, REASON_MAX_LENGTH, RotationOverlap


class KeyIssueForm(forms.Form):
    label = forms.CharField(
        label=_("Name"),
        required=False,
        help_text=_("Which system uses it, e.g. dispatch."),
        widget=forms.TextInput(attrs={"maxlength": LABEL_MAX_LENGTH, "autocomplete": "off"}),
    )


class KeyRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX_LENGTH}),
    )


class KeyRotateForm(forms.Form):
    overlap = forms.CharField(
        label=_("The old key keeps working for"),
        required=False,
        initial=RotationOverlap.DAY,
        widget=forms.RadioSelect(choices=RotationOverlap.choices),
    )


class DspForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    contact_email = forms.CharField(
        label=_("Contact email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class DspDeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False)


class StationForm(forms.Form):
    code = forms.CharField(label=_("Station code"), required=False, help_text=_("e.g. ANC1"))
    name = forms.CharField(label=_("Name"), required=False)
    address_line = forms.CharField(label=_("Street address (optional)"), required=False)
    zip_code = forms.CharField(
        label=_("ZIP code"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
    )
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        help_text=_("Blank: the ZIP's center. Drag the map pin to adjust."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-station-lat": ""}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-station-lng": ""}),
    )


def _station_choices(stations) -> list[tuple[str, str]]:
    return [("", _("No home station"))] + [(str(s.pk), str(s)) for s in stations]


class PersonInviteForm(forms.Form):
    """A DSP manager's invitation; a driver's adds the home station."""

    email = forms.CharField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    full_name = forms.CharField(label=_("Full name"), required=False)


class DriverInviteForm(PersonInviteForm):
    home_station = forms.CharField(label=_("Home station"), required=False)

    def __init__(self, *args, stations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_station"].widget = forms.Select(choices=_station_choices(stations))


class DriverMoveForm(forms.Form):
    home_station = forms.CharField(label=_("Home station"), required=False)

    def __init__(self, *args, stations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_station"].widget = forms.Select(choices=_station_choices(stations))


class PersonRemoveForm(forms.Form):
    """Removing a driver or a DSP manager."""

    reason = forms.CharField(label=_("Reason (optional)"), required=False)


class StationPartnerForm(forms.Form):
    """Add or remove one partner; the service checks it (an unknown, inactive, already served
    or not served partner is refused on this field)."""

    partner = forms.CharField(label=_("Partner"), required=False)

    def partners_offer(self, partners: list) -> None:
        """The partners the select lists (those ops may add)."""
        choices = [("", "—")] + [(p.pk, f"{p.trade_name}, {p.city} {p.zip_code}") for p in partners]
        self.fields["partner"].widget = forms.Select(choices=choices)
