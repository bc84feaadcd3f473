"""hubdelivery.lib.csvutil: the one way to write a CSV download (issue 14, finding 5)."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy

from hubdelivery.lib.csvutil import csv_response, csv_safe_cell, csv_streaming_response
from tests.i18n_support import spanish  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "hubdelivery" / "lib" / "csvutil.py"
APPS = ("accounts", "dashboard", "hubdelivery", "packages", "partners", "routing")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.test")', '\'=HYPERLINK("http://evil.test")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("Back Bay Blooms", "Back Bay Blooms"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        ("—", "—"),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_quoted(value, written):
    assert csv_safe_cell(value) == written


@pytest.mark.parametrize("number", ["-3", "-12.5", "-12.5%", "0", "42", "9.00"])
def test_a_negative_number_stays_a_number(number):
    # a leading minus on a plain number is a value to a spreadsheet, not a formula
    assert csv_safe_cell(number) == number


@pytest.mark.parametrize("number", [-3, -1.5, Decimal("-2.50"), 7])
def test_numeric_values_pass_unchanged(number):
    assert csv_safe_cell(number) == number


def test_dates_are_written_as_text():
    assert csv_safe_cell(datetime.date(2026, 11, 16)) == "2026-11-16"


def test_csv_response_is_an_attachment_with_safe_cells():
    # when
    response = csv_response(filename="x.csv", header=["Name", "Count"], rows=[["=1+1", -4]])
    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Name", "Count"],
        ["'=1+1", "-4"],
    ]


def test_streaming_response_writes_rows_as_they_are_read():
    # given rows that can only be read once, as from queryset.iterator()
    read: list[int] = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [f"@name{n}", n]

    # when
    response = csv_streaming_response(filename="long.csv", header=["Name", "N"], rows=rows())
    # then nothing is read before the response is sent, and every row comes out safe
    assert isinstance(response, StreamingHttpResponse) and read == []
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        ["Name", "N"],
        ["'@name0", "0"],
        ["'@name1", "1"],
        ["'@name2", "2"],
    ]
    assert response["Content-Disposition"] == 'attachment; filename="long.csv"'


def test_no_export_writes_csv_around_the_helper():
    """A new export cannot bypass csvutil: no csv.writer/DictWriter and no text/csv response
    anywhere else in the apps."""
    bypass = re.compile(r"csv\.(writer|DictWriter)\(|content_type=[\"']text/csv")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path != HELPER and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if bypass.search(line)
    ]
    assert offenders == []


def test_a_streamed_csv_is_written_in_the_language_of_the_request(spanish):  # noqa: F811
    with translation.override("es"):
        response = csv_streaming_response(
            filename="x.csv", header=[gettext_lazy("Partner")], rows=[[gettext_lazy("Partner")]]
        )
    # the body is written later, after the request's language was given back
    with translation.override("en"):
        body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == ["Socio", "Socio"]
