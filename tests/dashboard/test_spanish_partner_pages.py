"""The partner owner's earnings, statements and notifications in Spanish (issue 17)."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.emails import email_render
from dashboard.models import WeeklyStatement
from tests.conftest import client_for
from tests.i18n_support import assert_spanish

MONDAY = datetime.date(2026, 11, 16)


@pytest.fixture
def statement(partner) -> WeeklyStatement:
    return WeeklyStatement.objects.create(
        partner=partner,
        week_start=MONDAY,
        week_end=MONDAY + datetime.timedelta(days=6),
        packages=4,
        delivered=3,
        rate_per_package=Decimal("3.00"),
        amount=Decimal("9.00"),
        computed_at=timezone.now(),
    )


def page(user, url, spanish) -> str:
    response = client_for(user).get(url, **spanish)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_earnings_page_in_spanish(partner_owner, statement, spanish):
    body = page(partner_owner, reverse("dashboard:partner-earnings"), spanish)
    assert_spanish(body, spanish="Estados de cuenta semanales", english="Weekly statements")
    assert_spanish(body, spanish="Esta semana hasta ahora", english="This week so far")
    assert_spanish(body, spanish="por paquete entregado", english="per delivered package")


def test_statement_page_in_spanish(partner_owner, statement, spanish):
    url = reverse("dashboard:partner-statement", args=[statement.pk])
    body = page(partner_owner, url, spanish)
    assert_spanish(body, spanish="Estado de cuenta: semana del", english="Statement: week of")
    assert_spanish(body, spanish="Descargar (CSV)", english="Download (CSV)")
    assert_spanish(body, spanish="Todos los estados de cuenta", english="All statements")


def test_partner_numbers_on_the_home_page_in_spanish(partner_owner, spanish):
    body = page(partner_owner, reverse("partners:partner-home"), spanish)
    assert_spanish(body, spanish="Sus números", english="Your numbers")
    assert_spanish(body, spanish="Intentado, no entregado", english="Attempted, not delivered")


def tomorrow_volume(partner, user) -> tuple[str, str, str]:
    context = {
        "user": user,
        "partner": partner,
        "day": datetime.date(2026, 11, 21),
        "packages": 3,
        "url": "https://portal.mail.test/partner/",
    }
    return email_render(template="tomorrow-volume", context=context)


def weekly_statement(statement, user) -> tuple[str, str, str]:
    context = {"user": user, "statement": statement, "url": "https://portal.mail.test/s/1/"}
    return email_render(template="weekly-statement", context=context)


def test_tomorrow_volume_email_in_spanish(partner, partner_owner, spanish):
    with translation.override("es"):
        subject, text, body_html = tomorrow_volume(partner, partner_owner)
    assert_spanish(subject, spanish="3 paquetes para el sábado", english="3 packages for")
    assert_spanish(text, spanish="tiene 3 paquetes para entregar mañana", english="to deliver")
    assert_spanish(text, spanish="Puede desactivar este correo", english="You can switch")
    assert_spanish(html.unescape(body_html), spanish="3 paquetes</strong>", english="packages</")


def test_tomorrow_volume_email_in_english_otherwise(partner, partner_owner, spanish):
    with translation.override("en"):
        subject, text, _ = tomorrow_volume(partner, partner_owner)
    assert "3 packages for Saturday, Nov 21" in subject
    assert "has 3 packages to deliver tomorrow, Saturday, November 21." in text


def test_weekly_statement_email_in_spanish(statement, partner_owner, spanish):
    with translation.override("es"):
        subject, text, body_html = weekly_statement(statement, partner_owner)
    assert_spanish(subject, spanish="por la semana del", english="for the week of")
    assert_spanish(text, spanish="3 paquetes entregados a $3", english="packages delivered")
    assert_spanish(html.unescape(body_html), spanish="Ver el estado de cuenta", english="See the")


def test_weekly_statement_email_in_english_otherwise(statement, partner_owner, spanish):
    with translation.override("en"):
        subject, text, _ = weekly_statement(statement, partner_owner)
    assert subject.endswith(": $9.00 for the week of Nov 16")
    assert "3 packages delivered at $3.00 = $9.00." in text
