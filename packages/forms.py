from django import forms

from packages.models import Dsp
from packages.services.common import RECEIVING_PARTNER_STATUSES
from packages.services.manifests import MAX_CSV_BYTES, MAX_MANIFEST_ROWS
from partners.models import Partner


class ManifestUploadForm(forms.Form):
    dsp = forms.ModelChoiceField(queryset=Dsp.objects.all(), label="DSP")
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.filter(status__in=RECEIVING_PARTNER_STATUSES)
    )
    service_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="In the partner's time zone."
    )
    external_id = forms.CharField(
        max_length=100, label="Manifest id", help_text="The DSP's id for this manifest."
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8, header line: tracking_id, recipient_name, address_line, city, zip_code, "
            f"latitude, longitude, size. At most {MAX_MANIFEST_ROWS} rows and "
            f"{MAX_CSV_BYTES // 1024 // 1024} MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload
