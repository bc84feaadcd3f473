import re

from django import forms

from hubdelivery.lib.zipdata import zip_lookup
from routing.models import MAX_RADIUS_MILES


class CoverageForm(forms.Form):
    zip_codes = forms.CharField(
        label="ZIP codes served",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="5-digit ZIP codes, separated by commas or spaces. Leave empty for none.",
    )
    radius_miles = forms.FloatField(
        label="Radius around the shop (miles)",
        min_value=0,
        max_value=MAX_RADIUS_MILES,
        help_text=f"0 serves the listed ZIPs only; at most {MAX_RADIUS_MILES:g} miles (by car).",
    )

    def clean_zip_codes(self) -> list[str]:
        """Every entry a known US ZIP; the error names the ones that are not."""
        entries = [entry for entry in re.split(r"[\s,;]+", self.cleaned_data["zip_codes"]) if entry]
        unknown = [entry for entry in entries if zip_lookup(entry) is None or len(entry) != 5]
        if unknown:
            raise forms.ValidationError(
                "Not known US ZIP codes: %(zips)s.", params={"zips": ", ".join(unknown)}
            )
        return sorted(set(entries))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("radius_miles") == 0 and "zip_codes" in data and not data["zip_codes"]:
            self.add_error("radius_miles", "With no ZIP codes the radius must be above 0.")
        return data
