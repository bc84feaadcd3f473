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
