"""The dashboard's table shape. One Table feeds the HTML table, its chart and its CSV, so the
three always show the same numbers."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.http import HttpResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hubdelivery.lib import csvutil

NO_VALUE = "—"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | pct | days

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass
class Table:
    name: str  # the CSV's slug, also the URL part of its download link
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def header(self) -> list[str]:
        return [column.label for column in self.columns]

    def display_rows(self) -> list[list[Cell]]:
        return [
            [Cell(cell_text(row.get(c.key), c.kind), c.numeric) for c in self.columns]
            for row in self.rows
        ]

    @cached_property
    def body_html(self) -> SafeString:
        """The display rows as escaped <tr> elements. Built in Python once per dashboard
        snapshot and cached with it: a template loop over a month's 300 scorecards, cell by
        cell, was most of every page's time."""
        rows = (
            "".join(
                f'<td class="num">{escape(cell.text)}</td>'
                if cell.numeric
                else f"<td>{escape(cell.text)}</td>"
                for cell in row
            )
            for row in self.display_rows()
        )
        return mark_safe("\n".join(f"<tr>{cells}</tr>" for cells in rows))  # noqa: S308


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator/denominator as a percentage with one decimal; None when nothing to divide."""
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def cell_text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return NO_VALUE
    if kind == "pct":
        return f"{value}%"
    if kind == "days":
        return f"{value:.1f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_response(table: Table, filename: str) -> HttpResponse:
    rows = ([cell.text for cell in row] for row in table.display_rows())
    return csvutil.csv_response(filename=filename, header=table.header(), rows=rows)
