"""Querysets the ORM compiles once and the hot paths re-run with new values.

Building and compiling a queryset costs the handoff scan more CPU than PostgreSQL takes to run
its statements (docs/performance.md, "The htmx scan"). A `PreparedQuery` builds its queryset
once, from stand-in values, keeps the SQL the ORM wrote, and on each call puts the real values
where the stand-ins were. The rule stays in the ORM code that builds it: only the compile is
saved. A stand-in the compiled SQL does not carry as a parameter as it was given (the ORM
changed or inlined it) is refused when the query is first compiled.
"""

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import RawQuerySet

# Values no real row holds, each of a distinct type-and-value, so a parameter equal to one of
# them is that stand-in's slot.
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: -7_340_000 - n,
    str: lambda n: f"\x1fprepared-{n}\x1f",
    datetime.date: lambda n: datetime.date(1901, 1, 1) + datetime.timedelta(days=n),
    datetime.datetime: lambda n: (
        datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
    ),
}


class PreparedQuery:
    """`build(**values)` -> the queryset; `kinds` names each value's type. `raw(**values)`
    runs the compiled SQL as the model's raw query (annotations become attributes), `row`
    returns the first row as a tuple."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: tuple[str, Sequence[tuple[bool, Any]], type[Model]] | None = None

    def _compile(self) -> tuple[str, Sequence[tuple[bool, Any]], type[Model]]:
        stand_ins = {
            name: _STAND_INS[kind](index) for index, (name, kind) in enumerate(self._kinds.items())
        }
        queryset = self._build(**stand_ins)
        sql, params = queryset.query.sql_with_params()
        by_value = {(type(value), value): name for name, value in stand_ins.items()}
        slots = [
            (True, by_value[(type(p), p)]) if (type(p), p) in by_value else (False, p)
            for p in params
        ]
        unused = set(stand_ins) - {value for named, value in slots if named}
        if unused:
            raise ValueError(f"The compiled query does not carry {sorted(unused)} as parameters.")
        return sql, slots, queryset.model

    def _sql(self, values: dict[str, Any]) -> tuple[str, list[Any], type[Model]]:
        if self._compiled is None:
            self._compiled = self._compile()
        sql, slots, model = self._compiled
        return sql, [values[value] if named else value for named, value in slots], model

    def raw(self, **values: Any) -> RawQuerySet:
        sql, params, model = self._sql(values)
        return model.objects.raw(sql, params)

    def row(self, **values: Any) -> tuple | None:
        sql, params, _ = self._sql(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
