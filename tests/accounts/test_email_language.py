"""Emails in the recipient's language: the explicit language, else the recipient's saved
one (looked up by address), else English. allauth's emails too."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.emails import email_language, email_render, email_send_templated
from accounts.models import OutboundEmail
from tests.factories import UserFactory

APPLICATION = {"application": {"owner_name": "Ana", "display_name": "Bodega Ana"}}
SPANISH_BUTTON = "Ver su solicitud"  # application-base-body.html's "See your application"


def queued_html(to: str) -> str:
    return OutboundEmail.objects.get(to=to).body_html


@pytest.mark.django_db
def test_email_to_a_user_who_chose_spanish_is_in_spanish():
    UserFactory(email="ana@mail.test", language="es")
    email_send_templated(template="application-approved", to="ana@mail.test", context=APPLICATION)
    html = queued_html("ana@mail.test")
    assert SPANISH_BUTTON in html
    assert "See your application" not in html
    assert 'lang="es"' in html


@pytest.mark.django_db
def test_recipient_is_found_whatever_the_case_of_the_address():
    UserFactory(email="ana@mail.test", language="es")
    email_send_templated(template="application-approved", to="Ana@Mail.test", context=APPLICATION)
    assert SPANISH_BUTTON in queued_html("Ana@Mail.test")


@pytest.mark.django_db
@pytest.mark.parametrize("saved", ["", "en"])
def test_email_to_a_user_without_spanish_is_in_english(saved):
    UserFactory(email="bo@mail.test", language=saved)
    with translation.override("es"):  # the sender's language does not matter
        email_send_templated(
            template="application-approved", to="bo@mail.test", context=APPLICATION
        )
    html = queued_html("bo@mail.test")
    assert "See your application" in html
    assert SPANISH_BUTTON not in html


@pytest.mark.django_db
def test_email_to_an_unknown_address_is_in_english():
    email_send_templated(template="application-approved", to="lead@mail.test", context=APPLICATION)
    assert "See your application" in queued_html("lead@mail.test")


@pytest.mark.django_db
def test_the_explicit_language_wins_and_saves_the_lookup(django_assert_num_queries):
    UserFactory(email="ana@mail.test", language="en")
    assert email_language(to="ana@mail.test", language="es") == "es"
    with django_assert_num_queries(0):
        assert email_language(to="ana@mail.test", language="") == "en"


def test_email_render_restores_the_active_language():
    with translation.override("en"):
        _, _, html = email_render(
            template="application-approved", context=APPLICATION, language="es"
        )
        assert translation.get_language() == "en"
    assert SPANISH_BUTTON in html


def test_dashboard_emails_base_is_translated():
    context = {
        "user": {"full_name": "Ana"},
        "url": "http://127.0.0.1:8000/",
        "partner": {"trade_name": "Bodega Ana"},
        "packages": 3,
        "day": datetime.date(2026, 11, 30),
    }
    _, _, html = email_render(template="tomorrow-volume", context=context, language="es")
    assert "Hola, Ana:" in html
    assert "Puede desactivar este correo en el portal, en Notificaciones." in html


@pytest.mark.django_db
def test_allauth_password_reset_in_the_recipients_saved_language(client):
    UserFactory(email="ana@mail.test", language="es")
    client.post(reverse("account_reset_password"), {"email": "ana@mail.test"})
    email = OutboundEmail.objects.get(to="ana@mail.test")
    assert "¡Hola desde el portal de socios de Hub Delivery!" in email.body_text
    assert "Hello from" not in email.body_text
    assert email.subject.startswith("[Hub Delivery] ")
    assert "contraseña" in email.subject.lower()


@pytest.mark.django_db
def test_allauth_email_follows_the_request_when_nothing_is_saved(client):
    UserFactory(email="bo@mail.test", language="")
    client.post(
        reverse("account_reset_password"), {"email": "bo@mail.test"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "¡Hola desde el portal" in OutboundEmail.objects.get(to="bo@mail.test").body_text


@pytest.mark.django_db
def test_allauth_email_in_english_by_default(client):
    UserFactory(email="bo@mail.test")
    client.post(reverse("account_reset_password"), {"email": "bo@mail.test"})
    body = OutboundEmail.objects.get(to="bo@mail.test").body_text
    assert "Hello from the Hub Delivery Partner Portal!" in body


@pytest.mark.parametrize(("saved", "expected"), [("es", "Hola, "), ("", "Hello ")])
def test_partner_notifications_follow_the_owners_saved_language(partner_owner, saved, expected):
    """dashboard.notifications passes the owner's saved language along."""
    from dashboard.models import NotificationKind
    from dashboard.notifications import notification_send

    partner_owner.language = saved
    partner_owner.save()
    notification_send(
        kind=NotificationKind.TOMORROW_VOLUME,
        user=partner_owner,
        period="2026-11-30",
        context={"packages": 3, "url": "http://127.0.0.1:8000/"},
    )
    html = queued_html(partner_owner.email)
    assert f"{expected}{partner_owner.full_name}" in html
