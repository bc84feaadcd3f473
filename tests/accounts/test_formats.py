"""US Spanish formats (hubdelivery/formats/es): Spanish words, US numbers and order; English
unchanged. The portal's named date formats through the `local_date` filter."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

DAY = datetime.date(2026, 11, 29)
MOMENT = datetime.datetime(2026, 11, 29, 15, 5, tzinfo=datetime.UTC)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load humanize portal_formats %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "english", "spanish"),
    [
        ("{{ day|date }}", "Nov. 29, 2026", "29 de noviembre de 2026"),
        ('{{ day|date:"SHORT_DATE_FORMAT" }}', "11/29/2026", "11/29/2026"),
        ('{{ moment|time:"TIME_FORMAT" }}', "3:05 p.m.", "3:05 PM"),
        ("{{ amount }}", "1234.50", "1234.50"),
        ("{{ count|intcomma }}", "12,345", "12,345"),
        ("{{ share|floatformat:1 }}", "98.5", "98.5"),
    ],
)
def test_numbers_and_dates_per_language(source, english, spanish):
    context = {
        "day": DAY,
        "moment": MOMENT,
        "amount": Decimal("1234.50"),
        "count": 12345,
        "share": 98.46,
    }
    assert render(source, "en", **context) == english
    assert render(source, "es", **context) == spanish


@pytest.mark.parametrize(
    ("name", "english", "spanish"),
    [
        ("MEDIUM_DATE", "Nov 29, 2026", "29 Nov 2026"),
        ("SHORT_MONTH_DAY", "Nov 29", "29 Nov"),
        ("SHORT_WEEKDAY_MONTH_DAY", "Sun Nov 29", "dom 29 Nov"),
        ("WEEKDAY_DATE", "Sunday, November 29, 2026", "domingo 29 de noviembre de 2026"),
        ("WEEKDAY_MONTH_DAY", "Sunday, November 29", "domingo 29 de noviembre"),
    ],
)
def test_local_date_named_formats(name, english, spanish):
    source = '{{ day|local_date:"' + name + '" }}'
    assert render(source, "en", day=DAY) == english
    assert render(source, "es", day=DAY) == spanish


def test_local_date_of_nothing_is_blank():
    assert render('{{ day|local_date:"MEDIUM_DATE" }}', "es", day=None) == ""


def test_local_date_refuses_an_unknown_name():
    with pytest.raises(TemplateSyntaxError):
        render('{{ day|local_date:"NO_SUCH_FORMAT" }}', "en", day=DAY)


@pytest.mark.parametrize(
    ("source", "value", "english", "spanish"),
    [
        ("{{ value|distance }}", 137, "450 ft", "450 pies"),  # metres
        ("{{ value|distance }}", 160, "520 ft", "520 pies"),  # just under a tenth of a mile
        ("{{ value|distance }}", 161, "0.1 mi", "0.1 mi"),
        ("{{ value|distance }}", 483, "0.3 mi", "0.3 mi"),
        ("{{ value|distance }}", 0, "0 ft", "0 pies"),
        ("{{ value|distance }}", 15_610, "9.7 mi", "9.7 mi"),
        ("{{ value|distance }}", 16_040, "10 mi", "10 mi"),  # 9.97: whole miles from 10
        ('{{ value|distance:"mi" }}', 3312.4, "3,312 mi", "3,312 mi"),
        ('{{ value|distance:"mi" }}', 0.05, "260 ft", "260 pies"),
        ("{{ value|distance }}", None, "", ""),
    ],
)
def test_distances_read_in_miles_and_feet_in_both_languages(source, value, english, spanish):
    assert render(source, "en", value=value) == english
    assert render(source, "es", value=value) == spanish
