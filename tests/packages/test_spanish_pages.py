"""The partner's and driver's daily pages in Spanish (issue 17): each page answers a browser
that asks for Spanish in Spanish, with no trace of its English wording."""

import html
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.views.i18n import JavaScriptCatalog

from packages import services
from packages.models import PackageStatus
from tests.conftest import client_for
from tests.i18n_support import assert_spanish
from tests.packages.conftest import api_client_for, new_key

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(user, url_name, spanish, *args, **params) -> str:
    response = client_for(user).get(reverse(url_name, args=args), params, **spanish)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_today_page_and_evening_summary_in_spanish(partner_owner, received, spanish):
    body = page(partner_owner, "packages:today", spanish)
    assert_spanish(body, spanish="En orden de ruta", english="In route order")
    assert_spanish(body, spanish="Resumen del día", english="Evening summary")
    assert_spanish(
        body, spanish="3 paquetes hoy, cada uno contado una vez", english="3 packages today"
    )
    assert_spanish(body, spanish="En el socio", english="At the partner")
    assert_spanish(body, spanish="Cierre del día", english="End of day")


def test_today_page_stays_english_without_the_header(partner_owner, received):
    body = client_for(partner_owner).get(reverse("packages:today")).content.decode()
    assert "Evening summary" in body and "Resumen del día" not in body


def test_day_close_message_in_spanish(partner_owner, received, spanish):
    # when the owner keeps the one package held for the return
    response = client_for(partner_owner).post(
        reverse("packages:day-close"),
        {"idempotency_key": new_key(), "kept_safe": "on"},
        follow=True,
        **spanish,
    )
    # then
    body = html.unescape(response.content.decode())
    assert_spanish(
        body,
        spanish="1 paquete guardado para la próxima devolución al conductor.",
        english="kept for the driver's next return handoff",
    )


def test_handoff_page_in_spanish(partner_owner, drop_off, spanish):
    body = page(partner_owner, "packages:handoff", spanish, drop_off.pk)
    assert_spanish(body, spanish="Confirmar como socio", english="Confirm as partner")
    assert_spanish(body, spanish="Recepción en el socio", english="Drop-off to partner")
    assert_spanish(body, spanish="Aún no se ha escaneado nada.", english="Nothing scanned yet.")
    assert_spanish(body, spanish="Escanear con la cámara", english="Scan with the camera")


def test_scan_answer_by_htmx_in_spanish(dsp_driver, drop_off, manifested, spanish):
    # when the driver scans a package in, and then one that is on no manifest
    client = client_for(dsp_driver)
    url = reverse("packages:handoff-scan", args=[drop_off.pk])
    scanned = client.post(
        url,
        {"tracking_id": manifested[1].tracking_id, "idempotency_key": new_key()},
        **HTMX,
        **spanish,
    )
    stranger = client.post(
        url, {"tracking_id": "NOPE-12345", "idempotency_key": new_key()}, **HTMX, **spanish
    )
    # then both answers, and the counters they swap in, are in Spanish
    answer = html.unescape(scanned.content.decode())
    assert_spanish(answer, spanish="Recibido", english="Received")
    assert_spanish(answer, spanish="Esperados", english="Expected")
    unexpected = html.unescape(stranger.content.decode())
    assert_spanish(
        unexpected, spanish="No está en este manifiesto: apártelo", english="put it aside"
    )


def test_deliver_with_a_bad_photo_shows_the_error_in_spanish(partner_owner, received, spanish):
    # when the photo is not an image
    photo = SimpleUploadedFile("door.jpg", b"not a photo at all", content_type="image/jpeg")
    response = client_for(partner_owner).post(
        reverse("packages:package-deliver", args=[received.tracking_id]),
        {"idempotency_key": new_key(), "photo": photo},
        **spanish,
    )
    # then the form comes back with the refusal on its photo field, in Spanish
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert_spanish(
        body,
        spanish="La foto debe ser una imagen JPEG, PNG, WebP o HEIC.",
        english="The photo must be",
    )
    assert_spanish(body, spanish="Foto del paquete en la puerta", english="Photo of the package")
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_failed_attempt_in_spanish(partner_owner, received, spanish):
    # when
    response = client_for(partner_owner).post(
        reverse("packages:package-attempt", args=[received.tracking_id]),
        {"idempotency_key": new_key(), "reason": "no_access"},
        follow=True,
        **spanish,
    )
    # then the message and the package's new status read in Spanish
    body = html.unescape(response.content.decode())
    assert_spanish(
        body,
        spanish=f"{received.tracking_id} no entregado. Operaciones tiene un incidente y decidirá.",
        english="not delivered. Ops have an incident",
    )
    assert_spanish(body, spanish="Intento fallido", english="Attempted")


def test_deliver_then_undo_in_spanish(partner_owner, received, spanish):
    client = client_for(partner_owner)
    # when the owner delivers, then undoes it
    delivered = client.post(
        reverse("packages:package-deliver", args=[received.tracking_id]),
        {"idempotency_key": new_key(), "recipient_name": "Ana"},
        follow=True,
        **spanish,
    )
    undone = client.post(
        reverse("packages:package-undo", args=[received.tracking_id]),
        {"idempotency_key": new_key()},
        follow=True,
        **spanish,
    )
    # then
    assert_spanish(
        html.unescape(delivered.content.decode()),
        spanish=f"{received.tracking_id} entregado. Puede deshacerlo dentro de 15 minutos.",
        english="Undo within",
    )
    assert_spanish(
        html.unescape(undone.content.decode()),
        spanish=f"Entrega de {received.tracking_id} deshecha.",
        english="undone.",
    )


def test_undo_refusal_in_spanish(partner_owner, received, spanish):
    # when the owner undoes a delivery that never happened
    response = client_for(partner_owner).post(
        reverse("packages:package-undo", args=[received.tracking_id]),
        {"idempotency_key": new_key()},
        follow=True,
        **spanish,
    )
    # then
    assert_spanish(
        html.unescape(response.content.decode()),
        spanish=f"El paquete {received.tracking_id} no está entregado; no hay nada que deshacer.",
        english="nothing to undo",
    )


def test_package_history_in_spanish(partner_owner, received, spanish):
    services.package_attempt(
        actor=partner_owner, package=received, reason="no_access", idempotency_key=new_key()
    )
    body = page(partner_owner, "packages:package-history", spanish, received.tracking_id)
    assert_spanish(body, spanish="Historial de custodia", english="Custody timeline")
    assert_spanish(body, spanish="Recibido en la recepción", english="Received at the handoff")
    assert_spanish(body, spanish="Motivo: Sin acceso al edificio", english="no_access")
    assert_spanish(body, spanish="Intentos de entrega", english="Delivery attempts")


def test_driver_home_and_handoff_start_in_spanish(dsp_driver, manifested, spanish):
    home = page(dsp_driver, "packages:driver-home", spanish)
    assert_spanish(home, spanish="Recepciones y devoluciones", english="Handoffs: drop-off")
    start = page(dsp_driver, "packages:handoff-start", spanish)
    assert_spanish(start, spanish="Iniciar una recepción", english="Start a handoff")
    assert_spanish(start, spanish="Abrir devolución", english="Open return")
    assert_spanish(start, spanish='for="id_partner">Socio</label>', english=">Partner</label>")


def test_domain_refusal_through_the_api_in_spanish_names_the_field(
    partner_owner, received, spanish
):
    # when a delivery without any proof is posted with Accept-Language: es
    response = api_client_for(partner_owner).post(
        reverse("api-package-event-create"),
        {
            "tracking_id": received.tracking_id,
            "event_type": "delivered",
            "idempotency_key": new_key(),
            "device_time": "2026-11-25T13:05:00Z",
        },
        format="json",
        **spanish,
    )
    # then the 400 names the field, and says why in Spanish
    assert response.status_code == 400
    assert list(response.json()) == ["recipient_name"]
    assert response.json()["recipient_name"] == [
        "Dé un comprobante de entrega: una foto, el nombre del destinatario o dónde lo dejó."
    ]


def test_domain_refusal_through_the_api_stays_english_by_default(partner_owner, received):
    response = api_client_for(partner_owner).post(
        reverse("api-package-event-create"),
        {
            "tracking_id": received.tracking_id,
            "event_type": "delivered",
            "idempotency_key": "k1",
            "device_time": "2026-11-25T13:05:00Z",
        },
        format="json",
    )
    assert response.json()["recipient_name"][0].startswith("Give a proof of delivery")


def test_translated_labels_and_choices_need_no_migration(db):
    """Lazy verbose names, help texts and choice labels deconstruct to the same English text,
    so marking them for translation leaves the migrations as they are."""
    out = StringIO()
    call_command("makemigrations", "packages", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_scan_js_strings_are_in_the_javascript_catalog(rf, spanish):
    """static/js/scan.js asks window.gettext (Django's JavaScript catalog) for its words."""
    with translation.override("es"):
        response = JavaScriptCatalog.as_view(domain="djangojs")(rf.get("/jsi18n/"))
    catalog = response.content.decode()
    assert "Detener la c\\u00e1mara" in catalog or "Detener la cámara" in catalog
    assert "Escanear con la c" in catalog
