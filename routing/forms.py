import re

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hubdelivery.lib.zipdata import zip_lookup
from routing.models import MAX_RADIUS_MILES, FindingKind


class CoverageForm(forms.Form):
    zip_codes = forms.CharField(
        label=_("ZIP codes served"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("5-digit ZIP codes, separated by commas or spaces. Leave empty for none."),
    )
    radius_miles = forms.FloatField(
        label=_("Radius around the shop (miles)"),
        min_value=0,
        max_value=MAX_RADIUS_MILES,
        help_text=format_lazy(
            _("0 serves the listed ZIPs only; at most {miles} miles (by car)."),
            miles=f"{MAX_RADIUS_MILES:g}",
        ),
    )

    def clean_zip_codes(self) -> list[str]:
        """Every entry a known US ZIP; the error names the ones that are not."""
        entries = [entry for entry in re.split(r"[\s,;]+", self.cleaned_data["zip_codes"]) if entry]
        unknown = [entry for entry in entries if zip_lookup(entry) is None or len(entry) != 5]
        if unknown:
            raise forms.ValidationError(
                _("Not known US ZIP codes: %(zips)s."), params={"zips": ", ".join(unknown)}
            )
        return sorted(set(entries))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("radius_miles") == 0 and "zip_codes" in data and not data["zip_codes"]:
            self.add_error("radius_miles", gettext("With no ZIP codes the radius must be above 0."))
        return data


class FindingFilterForm(forms.Form):
    """The capacity findings' filter (GET): one kind of finding."""

    kind = forms.ChoiceField(
        label=_("Finding"), choices=[("", _("All findings")), *FindingKind.choices], required=False
    )

    def kind_or_all(self) -> str:
        return self.cleaned_data["kind"] if self.is_valid() else ""
