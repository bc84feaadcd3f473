"""The applicant's and the partner's pages in Spanish (issue 17): a browser asking for Spanish
(Accept-Language: es) gets every page of the partners app in Spanish, form errors included,
and English stays the default."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template
from django.urls import reverse

from partners.agreement import AGREEMENT_LANGUAGES, AGREEMENT_VERSION, agreement_template
from partners.models import DocumentKind, Lead, PartnerEvent, PartnerStatus
from partners.services import applications as application_services
from partners.services.staff import staff_invite, staff_join_path
from tests.conftest import client_for
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.usefixtures("spanish")

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, url: str, data: dict | None = None, **headers) -> str:
    response = client.get(url, data or {}, **ES, **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def onboarding_partner(partner):
    partner.status = PartnerStatus.ONBOARDING
    partner.save(update_fields=["status"])
    return partner


@pytest.fixture
def owner_client(partner):
    return client_for(partner.owner)


# ------------------------------------------------------------------------------
# Landing page and eligibility check
# ------------------------------------------------------------------------------
def test_landing_page_in_spanish(client, db):
    html = page(client, reverse("partners:landing"))
    assert "Gane más con el negocio que ya tiene" in html
    assert "Verificar mi código postal" in html
    assert "Earn more from the shop you already run" not in html
    assert "Check my ZIP code" not in html


def test_landing_page_stays_english_by_default(client, db):
    html = client.get(reverse("partners:landing")).content.decode()
    assert "Earn more from the shop you already run" in html
    assert "Gane más" not in html


def test_eligibility_answer_in_spanish_for_htmx(client, db):
    html = page(client, reverse("partners:eligibility"), {"zip_code": "02116"}, **HTMX)
    assert "<html" not in html
    assert "está en nuestra área de Boston" in html
    assert "Presentar solicitud" in html
    assert "is in our Boston area" not in html
    assert "Apply now" not in html


def test_eligibility_answer_in_spanish_as_a_full_page(client, db):
    html = page(client, reverse("partners:eligibility"), {"zip_code": "80202"})
    assert "<html" in html
    assert "Todavía no entregamos en" in html
    assert "Unirme a la lista de espera" in html
    assert "Gane más con el negocio que ya tiene" in html
    assert "We do not deliver in" not in html
    assert "Join the waitlist" not in html


def test_unknown_zip_answer_in_spanish(client, db):
    html = page(client, reverse("partners:eligibility"), {"zip_code": "99999"}, **HTMX)
    assert "No encontramos el código postal «99999»." in html
    assert "We could not find the ZIP code" not in html


def test_waitlist_sign_up_keeps_the_visitors_language(client, db):
    # when a visitor reading Spanish joins the waitlist
    response = client.post(
        reverse("partners:waitlist-join"),
        {"email": "bodega@mail.test", "zip_code": "80202"},
        follow=True,
        **ES,
    )
    # then they are told in Spanish, and their invitation will be in Spanish
    assert "Está en la lista de espera" in response.content.decode()
    assert Lead.objects.get(email="bodega@mail.test").language == "es"


# ------------------------------------------------------------------------------
# The applicant's pages
# ------------------------------------------------------------------------------
@pytest.fixture
def applicant_client(applicant):
    return client_for(applicant)


@pytest.fixture
def draft(applicant):
    return application_services.application_start(owner=applicant)


def test_applicant_home_without_application_in_spanish(applicant_client):
    html = page(applicant_client, reverse("partners:applicant-home"))
    assert "Empezar mi solicitud" in html
    assert "Start my application" not in html


def test_applicant_home_and_timeline_in_spanish(applicant, applicant_client, draft):
    # given a document uploaded: its event is stored in English and shown translated
    application_services.application_document_attach(
        application=draft,
        actor=applicant,
        kind=DocumentKind.BUSINESS_LICENCE,
        upload=SimpleUploadedFile("licence.pdf", PDF_BYTES),
        content_type="application/pdf",
    )
    # when
    html = page(applicant_client, reverse("partners:applicant-home"))
    # then
    assert "Su solicitud es un borrador" in html
    assert "Borrador" in html
    assert "Solicitud iniciada" in html
    assert "Licencia comercial subida" in html
    assert "Your application is a draft" not in html
    assert "Business licence uploaded" not in html


def test_application_form_in_spanish(applicant_client, draft):
    html = page(applicant_client, reverse("partners:application-edit", args=[draft.pk]))
    assert "Razón social del negocio" in html
    assert "Guardar y terminar más tarde" in html
    assert "Lunes" in html
    assert "Business legal name" not in html
    assert "Save and finish later" not in html


def test_application_form_mistake_is_explained_in_spanish_and_keeps_the_input(
    applicant_client, draft
):
    # when the applicant types a bad phone number and too small a capacity
    data = {
        "legal_name": "Bodega Doña Rosa LLC",
        "owner_phone": "123",
        "storage_description": "Cuarto trasero con llave",
        "daily_capacity": "5",
        "opening_days": ["mon", "sat"],
        "save": "1",
    }
    response = applicant_client.post(
        reverse("partners:application-edit", args=[draft.pk]), data, **ES
    )
    html = response.content.decode()
    # then the errors are in Spanish, next to the fields
    assert response.status_code == 400
    assert "Aún no se guardó: corrija los campos marcados abajo." in html
    assert "Este número de teléfono no es válido." in html
    assert "Asegúrese" in html  # Django's own minimum-value message, in Spanish
    assert "This is not a valid phone number." not in html
    assert "Ensure this value" not in html
    assert "Not saved yet" not in html
    # and nothing typed is lost
    assert "Bodega Doña Rosa LLC" in html
    assert "Cuarto trasero con llave" in html
    assert 'value="123"' in html
    assert 'value="mon" id="id_opening_days_0" checked' in html
    assert 'value="sat" id="id_opening_days_5" checked' in html


def test_incomplete_submission_lists_the_missing_items_in_spanish(applicant_client, draft):
    response = applicant_client.post(
        reverse("partners:application-edit", args=[draft.pk]), {"submit": "1"}, **ES
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Falta «Razón social del negocio» para enviar la solicitud." in html
    assert "Falta «Licencia comercial» para enviar la solicitud." in html
    assert "is required to submit" not in html


# ------------------------------------------------------------------------------
# Staff joining
# ------------------------------------------------------------------------------
def invited_join_url(partner) -> str:
    member = staff_invite(
        partner=partner, actor=partner.owner, email="rosa@mail.test", full_name="Rosa Díaz"
    )
    return staff_join_path(user=member.user)


def test_staff_join_page_in_spanish(client, partner):
    url = invited_join_url(partner)
    html = page(client, url)
    assert "Elija una contraseña" in html
    assert "Crear contraseña y continuar" in html
    assert "Choose a password" not in html
    # a mistake is explained in Spanish
    response = client.post(url, {"password1": "a-Long-pass-1", "password2": "other"}, **ES)
    assert "Las dos contraseñas no coinciden." in response.content.decode()
    assert "The two passwords differ." not in response.content.decode()


def test_staff_join_invalid_link_in_spanish(client, db):
    response = client.get(reverse("partners:staff-join", args=["MQ", "bad-token"]), **ES)
    html = response.content.decode()
    assert "Este enlace de invitación ya no funciona" in html
    assert "This invitation link no longer works" not in html


# ------------------------------------------------------------------------------
# The partner's pages
# ------------------------------------------------------------------------------
def test_partner_home_in_spanish(owner_client, onboarding_partner):
    html = page(owner_client, reverse("partners:partner-home"))
    assert "Primeros pasos" in html
    assert "Contrato del programa aceptado" in html
    assert "En incorporación" in html
    assert "Getting started" not in html
    assert "Program agreement accepted" not in html


def test_partner_settings_in_spanish(owner_client, partner):
    html = page(owner_client, reverse("partners:partner-settings"))
    assert "Configuración de Back Bay Blooms" in html
    assert "Paquetes por día" in html
    assert "Settings for" not in html
    response = owner_client.post(
        reverse("partners:partner-settings"),
        {
            "daily_capacity": "30",
            "storage_capacity": "40",
            "delivery_modes": ["walk"],
            "opens_at": "18:00",
            "closes_at": "09:00",
        },
        **ES,
    )
    assert "La hora de cierre debe ser posterior a la de apertura." in response.content.decode()


def test_partner_staff_in_spanish(owner_client, partner):
    html = page(owner_client, reverse("partners:partner-staff"))
    assert "Invitar a un empleado" in html
    assert "Dueño" in html
    assert "Invite a staff member" not in html


def test_partner_training_in_spanish(owner_client, partner):
    html = page(owner_client, reverse("partners:partner-training"))
    assert "Cómo funciona un día" in html
    assert "escanee cada paquete" in html
    assert "How a day works" not in html


def test_partner_closures_in_spanish(owner_client, partner):
    html = page(owner_client, reverse("partners:partner-closures"))
    assert "Declarar un cierre" in html
    assert "Primer día cerrado" in html
    assert "Declare a closure" not in html
    # a refusal from the service is in Spanish
    past = datetime.date(2020, 1, 6)
    response = owner_client.post(
        reverse("partners:partner-closures"),
        {"start_date": past, "end_date": past, "reason": "Vacaciones"},
        **ES,
    )
    assert "Un cierre no puede empezar en el pasado." in response.content.decode()


# ------------------------------------------------------------------------------
# The agreement: one version, a text per language
# ------------------------------------------------------------------------------
def test_every_language_has_the_current_agreement_text():
    texts = {
        language: get_template(agreement_template(AGREEMENT_VERSION, language)).render({})
        for language in AGREEMENT_LANGUAGES
    }
    assert all(f"{AGREEMENT_VERSION}" in text for text in texts.values())
    assert len(set(texts.values())) == len(AGREEMENT_LANGUAGES)


def test_agreement_page_shows_the_spanish_text(owner_client, onboarding_partner):
    html = page(owner_client, reverse("partners:partner-agreement"))
    assert "Contrato del Programa de Socios de Hub Delivery (versión 2026-11)" in html
    assert 'name="language" value="es"' in html
    assert "Acepto el contrato en nombre de" in html
    assert "Partner Program Agreement" not in html


def test_accepting_the_spanish_text_records_the_same_version(owner_client, onboarding_partner):
    # when the owner accepts the text they were shown in Spanish
    response = owner_client.post(
        reverse("partners:partner-agreement"), {"language": "es"}, follow=True, **ES
    )
    # then the version is the one of the English original, and the event names the text
    assert "el contrato del programa quedó aceptado" in response.content.decode()
    onboarding_partner.refresh_from_db()
    assert onboarding_partner.agreement_version == AGREEMENT_VERSION
    assert onboarding_partner.agreement_accepted_at is not None
    event = PartnerEvent.objects.get(partner=onboarding_partner, kind="agreement_accepted")
    assert event.detail == f"Agreement version {AGREEMENT_VERSION} accepted (es text)."


def test_accepting_in_english_records_the_english_text(owner_client, onboarding_partner):
    html = owner_client.get(reverse("partners:partner-agreement")).content.decode()
    assert "Partner Program Agreement" in html
    assert 'name="language" value="en"' in html
    owner_client.post(reverse("partners:partner-agreement"), {"language": "en"})
    event = PartnerEvent.objects.get(partner=onboarding_partner, kind="agreement_accepted")
    assert event.detail == f"Agreement version {AGREEMENT_VERSION} accepted (en text)."


def test_accepting_a_text_in_an_unknown_language_is_refused(onboarding_partner):
    from hubdelivery.exceptions import DomainError
    from partners.services.partners import partner_agreement_accept

    with pytest.raises(DomainError):
        partner_agreement_accept(
            partner=onboarding_partner,
            actor=onboarding_partner.owner,
            version=AGREEMENT_VERSION,
            language="fr",
        )
    onboarding_partner.refresh_from_db()
    assert onboarding_partner.agreement_accepted_at is None
