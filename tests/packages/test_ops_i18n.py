"""The packages ops pages in Spanish: handoffs, incidents, a bad manifest upload."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from packages import services
from tests.conftest import client_for
from tests.i18n_support import assert_spanish
from tests.packages.conftest import new_key

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_handoff_list_and_detail_in_spanish(spanish, reviewer, drop_off):
    client = client_for(reviewer)
    listing = client.get(reverse("packages:ops-handoffs"), **ES).content.decode()
    assert_spanish(listing, "Buscar un paquete por número de seguimiento", "Find a package by")
    detail = client.get(reverse("packages:ops-handoff", args=[drop_off.pk]), **ES)
    assert_spanish(detail.content.decode(), "Todas las recepciones", "All handoffs")


def test_incident_queue_in_spanish(spanish, reviewer, partner_owner, received):
    services.package_attempt(
        actor=partner_owner, package=received, reason="unsafe", idempotency_key=new_key()
    )
    html = client_for(reviewer).get(reverse("packages:ops-incidents"), **ES).content.decode()
    assert_spanish(html, "Reintentar al día siguiente", "Re-attempt next day")


def test_bad_manifest_upload_lists_its_problems_in_spanish(spanish, reviewer, dsp, partner, today):
    content = (
        b"tracking_id,recipient_name,address_line,zip_code,size\nTBA1,Jo,1 Main St,99999,small\n"
    )
    client = client_for(reviewer)
    response = client.post(
        reverse("packages:ops-manifest-upload"),
        {
            "dsp": dsp.pk,
            "partner": partner.pk,
            "service_date": today.isoformat(),
            "external_id": "CSV-ES",
            "file": SimpleUploadedFile("manifest.csv", content, content_type="text/csv"),
        },
        **ES,
    )
    page = client.get(response.url, **ES).content.decode()
    assert_spanish(page, "no se puede guardar nada", "nothing can be saved")
    assert_spanish(page, "Problemas en el archivo", "Problems in the file")
