"""The core's pages in Spanish: allauth's own Spanish, our layout around it, the 429 pages,
the notification preferences; English stays the default."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import UserFactory

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def visible_text(response) -> str:
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_login_page_is_allauths_spanish_in_our_spanish_layout(client):
    text = visible_text(client.get(reverse("account_login"), **SPANISH))
    assert "Si aún no ha creado una cuenta" in text  # allauth's own catalog
    assert "¿Ha olvidado su contraseña?" in text
    assert "Ir al contenido" in text  # base.html
    assert "Registrarse" in text
    for english in ("Sign In", "Forgot your password", "Skip to content", "Sign up", "Log in"):
        assert english not in text


@pytest.mark.django_db
def test_signup_page_and_its_errors_are_in_spanish(client):
    page = visible_text(client.get(reverse("account_signup"), **SPANISH))
    assert "¿Ya tiene una cuenta?" in page
    assert "Already have an account" not in page
    answer = client.post(
        reverse("account_signup"),
        {"email": "new@mail.test", "password1": "a-Long-pass-42", "password2": "another-42"},
        **SPANISH,
    )
    errors = visible_text(answer)
    assert "Debe escribir la misma contraseña cada vez." in errors
    assert "You must type the same password each time." not in errors


@pytest.mark.django_db
def test_login_page_stays_english_by_default(client):
    text = visible_text(client.get(reverse("account_login")))
    assert "Skip to content" in text
    assert "Sign up" in text
    assert "Ir al contenido" not in text


def test_navigation_labels_follow_the_language(partner_owner):
    client = client_for(partner_owner)
    text = visible_text(client.get(reverse("partners:partner-home"), **SPANISH))
    assert "Mi negocio" in text
    assert "Notificaciones" in text
    assert "Cerrar sesión" in text
    assert "My business" not in text
    assert "Log out" not in text


def test_ops_navigation_in_spanish(reviewer):
    text = visible_text(client_for(reviewer).get(reverse("partners:ops-home"), **SPANISH))
    assert "Operaciones" in text
    assert "Solicitudes" in text
    assert "Capacidad" in text


def test_notification_preferences_in_spanish(partner_owner):
    client = client_for(partner_owner)
    url = reverse("dashboard:notification-preferences")
    text = visible_text(client.get(url, **SPANISH))
    assert "Los paquetes de mañana, la tarde anterior (dueños de negocios socios)" in text
    assert "Guardar" in text
    assert "the evening before" not in text
    values = {"tomorrow_volume": "on", "weekly_statement": "on"}
    saved = client.post(url, values, follow=True, **SPANISH)
    assert "Sus preferencias de correo se guardaron." in visible_text(saved)


def test_notification_preferences_stay_english_by_default(partner_owner):
    text = visible_text(
        client_for(partner_owner).get(reverse("dashboard:notification-preferences"))
    )
    assert "the evening before (partner owners)" in text
    assert "Save" in text


@pytest.fixture
def low_limits(settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "eligibility_check": "1/m/ip"}


@pytest.mark.django_db
def test_too_many_requests_page_and_fragment_in_spanish(client, low_limits):
    url = reverse("partners:eligibility")
    client.get(url, {"zip_code": "02116"}, **SPANISH)
    page = client.get(url, {"zip_code": "02116"}, **SPANISH)
    fragment = client.get(url, {"zip_code": "02116"}, HTTP_HX_REQUEST="true", **SPANISH)
    assert page.status_code == fragment.status_code == 429
    assert "Volver al inicio" in visible_text(page)
    assert "Espere un minuto e inténtelo de nuevo." in visible_text(fragment)
    assert "Too many requests" not in visible_text(page) + visible_text(fragment)


def test_api_errors_follow_the_language(db, settings):
    """An ops token is refused in the language of the request (accounts.authentication)."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    settings.OPS_MFA_REQUIRED = False
    user = UserFactory(roles=[Role.OPS_REVIEWER])
    token = Token.objects.create(user=user)
    answer = Client().get(
        "/api/v1/me",
        HTTP_AUTHORIZATION=f"Token {token.key}",
        **SPANISH,
    )
    assert answer.status_code == 401
    assert "Las cuentas de Operaciones no pueden usar tokens de la API" in answer.json()["detail"]
