"""Every CSV download goes through here, so no cell reaches a spreadsheet as a formula.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (a trade name `=HYPERLINK(...)` would become a link in ops'
spreadsheet). Such a cell gets a leading single quote, which the spreadsheet shows as text.
Numbers stay numbers: `-3`, `-12.5` and `-12.5%` are what a spreadsheet reads as values, not
formulas, so they are written as they are.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?%?")
CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should read it: text that would run as a formula quoted."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_safe_row(row: Iterable[Any]) -> list[Any]:
    return [csv_safe_cell(value) for value in row]


class _Line:
    """A file-like object whose write() hands back the line csv.writer formatted."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header and each row as one CSV line, every cell made safe; lazily, row by row."""
    writer = csv.writer(_Line())
    yield writer.writerow(csv_safe_row(header))
    for row in rows:
        yield writer.writerow(csv_safe_row(row))


def _in_language(lines: Iterator[str], language: str | None) -> Iterator[str]:
    """The lines rendered in the request's language: a streamed body is written after the
    view returned, when the request's language may no longer be the active one."""
    if language is None:
        yield from lines
        return
    with translation.override(language):
        yield from lines


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'


def csv_response(
    *, filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A CSV download built in memory: for tables of a page's size."""
    response = HttpResponse("".join(csv_lines(header, rows)), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response


def csv_streaming_response(
    *, filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A CSV download written as the rows are read: for long lists (pass an iterator, e.g.
    `queryset.iterator()` mapped to rows), so memory does not grow with the list."""
    lines = _in_language(csv_lines(header, rows), translation.get_language())
    response = StreamingHttpResponse(lines, content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response
