"""The application-flow emails and the staff invitation in Spanish (issue 17): each renders in
the active language, Spanish under translation.override("es"), English otherwise; a waitlist
lead's invitation is written in the language of the page they joined from."""

import pytest
from django.utils import translation

from accounts.emails import email_render
from accounts.models import OutboundEmail, User
from partners.models import Lead, Partner, PartnerApplication
from partners.services.recruiting import lead_invite, lead_join, market_opened, state_opened

pytestmark = [pytest.mark.usefixtures("spanish"), pytest.mark.django_db]

# template: (a Spanish sentence of the body, its English original, the two subjects)
APPLICATION_EMAILS = {
    "application-submitted": (
        "Recibimos la solicitud de Bodega Rosa",
        "We received the application for Bodega Rosa",
        "Recibimos su solicitud",
        "We received your application",
    ),
    "application-in-review": (
        "Un revisor empezó a revisar la solicitud de Bodega Rosa",
        "A reviewer has started looking at the application for Bodega Rosa",
        "Su solicitud está en revisión",
        "Your application is being reviewed",
    ),
    "application-info-requested": (
        "Para seguir revisando la solicitud de Bodega Rosa",
        "To continue reviewing the application for Bodega Rosa",
        "Necesitamos más información para su solicitud",
        "We need more information for your application",
    ),
    "application-approved": (
        "Su solicitud para Bodega Rosa fue aprobada",
        "Your application for Bodega Rosa is approved",
        "Bienvenido a Hub Delivery: su solicitud fue aprobada",
        "Welcome to Hub Delivery: your application is approved",
    ),
    "application-rejected": (
        "No podemos aceptar la solicitud de Bodega Rosa",
        "We are not able to accept the application for Bodega Rosa",
        "Sobre su solicitud a Hub Delivery",
        "About your Hub Delivery application",
    ),
    "application-waitlisted": (
        "La solicitud de Bodega Rosa está fuera del área que atendemos hoy",
        "The application for Bodega Rosa is outside the area we serve today",
        "Está en la lista de espera de Hub Delivery",
        "You are on the Hub Delivery waitlist",
    ),
    "application-withdrawn": (
        "La solicitud de Bodega Rosa fue retirada",
        "The application for Bodega Rosa was withdrawn",
        "Su solicitud fue retirada",
        "Your application was withdrawn",
    ),
}


def application_context() -> dict:
    application = PartnerApplication(trade_name="Bodega Rosa", owner_name="Rosa")
    return {
        "application": application,
        "status_label": "",
        "reason": "Falta la foto / Photo missing",
        "home_url": "https://portal.mail.test/apply/",
    }


@pytest.mark.parametrize("template", sorted(APPLICATION_EMAILS))
def test_application_email_in_spanish(template):
    body_es, body_en, subject_es, _ = APPLICATION_EMAILS[template]
    with translation.override("es"):
        subject, text, html = email_render(template=template, context=application_context())
    assert subject == subject_es
    for body in (text, html):
        assert body_es in body
        assert body_en not in body
        assert "Falta la foto / Photo missing" in body or template in (
            "application-submitted",
            "application-in-review",
        )
    assert text.startswith("Hola, Rosa:")
    assert "Portal de socios de Hub Delivery" in text


@pytest.mark.parametrize("template", sorted(APPLICATION_EMAILS))
def test_application_email_in_english_by_default(template):
    body_es, body_en, _, subject_en = APPLICATION_EMAILS[template]
    subject, text, html = email_render(template=template, context=application_context())
    assert subject == subject_en
    for body in (text, html):
        assert body_en in body
        assert body_es not in body
    assert text.startswith("Hello Rosa,")


def invitation_context(invited_for) -> dict:
    return {
        "invited_for": invited_for,
        "zip_code": "80202",
        "signup_url": "https://portal.mail.test/accounts/signup/",
    }


def test_invitation_email_in_spanish_names_what_opened_in_spanish():
    with translation.override("es"):
        subject, text, html = email_render(
            template="application-invitation",
            context=invitation_context(market_opened("Denver")),
        )
    assert subject == "Hub Delivery ya está cerca de usted: presente su solicitud para ser socio"
    for body in (text, html):
        assert "cerca del código postal 80202: se abrió el mercado de Denver." in body
        assert "You asked us to tell you" not in body
        assert "market opened" not in body
    assert 'lang="es"' in html


def test_invitation_email_in_english_by_default():
    subject, text, _ = email_render(
        template="application-invitation", context=invitation_context(state_opened("Colorado"))
    )
    assert subject == "Hub Delivery is now open near you: apply to become a partner"
    assert "near ZIP 80202: Colorado joined the program." in text
    assert "Nos pidió" not in text


def test_lead_is_invited_in_the_language_it_joined_in(db):
    # given a lead that joined from the Spanish page, and one from the English page
    spanish_lead = lead_join(email="rosa@mail.test", zip_code="80202", language="es")
    english_lead = lead_join(email="ann@mail.test", zip_code="80203", language="en")
    # when the market opens (English active, as in a job or an ops admin's request)
    lead_invite(lead=spanish_lead, invited_for=market_opened("Denver"))
    lead_invite(lead=english_lead, invited_for=market_opened("Denver"))
    # then each gets the invitation in its language; the record stays in English
    spanish = OutboundEmail.objects.get(to="rosa@mail.test")
    english = OutboundEmail.objects.get(to="ann@mail.test")
    assert "se abrió el mercado de Denver" in spanish.body_text
    assert "the Denver market opened" in english.body_text
    assert Lead.objects.get(pk=spanish_lead.pk).invited_for == "the Denver market opened"


def test_market_opening_invites_a_spanish_lead_in_spanish(db, ops_admin):
    from partners.services.recruiting import market_create

    lead_join(email="rosa@mail.test", zip_code="80202", language="es")
    market_create(actor=ops_admin, name="Denver", center_zip="80202", radius_miles=10)
    email = OutboundEmail.objects.get(to="rosa@mail.test")
    assert email.subject.startswith("Hub Delivery ya está cerca de usted")


def staff_context() -> dict:
    return {
        "partner": Partner(trade_name="Bodega Rosa"),
        "owner": User(full_name="Rosa Díaz", email="rosa@mail.test"),
        "user": User(full_name="Luis Pérez", email="luis@mail.test"),
        "join_url": "https://portal.mail.test/join/abc/",
        "login_url": "https://portal.mail.test/accounts/login/",
    }


def test_staff_invitation_in_spanish():
    with translation.override("es"):
        subject, text, html = email_render(template="staff-invitation", context=staff_context())
    assert subject == "Rosa Díaz lo invitó a entregar para Bodega Rosa"
    assert "lo agregó al equipo de Bodega Rosa" in text
    assert "lo agregó al equipo de <strong>Bodega Rosa</strong>" in html
    assert "Cree su contraseña" in html
    for body in (subject, text, html):
        assert "added you to the team" not in body
        assert "invited you to deliver" not in body


def test_staff_invitation_in_english_by_default():
    subject, text, html = email_render(template="staff-invitation", context=staff_context())
    assert subject == "Rosa Díaz invited you to deliver for Bodega Rosa"
    assert "added you to the team of Bodega Rosa" in text
    assert "lo agregó" not in html
