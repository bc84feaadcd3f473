"""Querysets the ORM compiles once and the hot paths re-run with new values.

Building and compiling a queryset costs the handoff scan more CPU than PostgreSQL takes to run
its statements (docs/performance.md, "The htmx scan"). A `PreparedQuery` builds its queryset
once, from stand-in values, keeps the SQL the ORM wrote, and on each call puts the real values
where the stand-ins were. The rule stays in the ORM code that builds it: only the compile is
saved. A stand-in the compiled SQL does not carry as a parameter, either as it was given or as
the database backend adapts that type for its driver (SQLite takes dates and datetimes as
text), is refused when the query is first compiled: the ORM changed or inlined it.
"""

import copy
import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.compiler import SQLCompiler

# Values no real row holds, each of a distinct type-and-value, so a parameter equal to one of
# them is that stand-in's slot.
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: -7_340_000 - n,
    str: lambda n: f"\x1fprepared-{n}\x1f",
    # Mid-year and mid-day, unlike the bounds the ORM derives from a value (a year lookup).
    datetime.date: lambda n: datetime.date(1901, 6, 13) + datetime.timedelta(days=n),
    datetime.datetime: lambda n: (
        datetime.datetime(1901, 6, 13, 7, 11, 13, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
    ),
}


# A parameter slot: the stand-in's name and the backend's adapter for the real value (None when
# the driver takes the value as given), or no name and the constant the ORM wrote.
_Slot = tuple[str | None, Callable[[Any], Any] | None, Any]


def _backend_adapters(ops: BaseDatabaseOperations) -> dict[type, Callable[[Any], Any]]:
    """How the backend turns a value of each stand-in type into a driver parameter, as the
    ORM's date and datetime fields do (`get_db_prep_value`)."""
    return {
        datetime.date: ops.adapt_datefield_value,
        datetime.datetime: ops.adapt_datetimefield_value,
    }


def _slots_by_parameter(
    stand_ins: dict[str, Any], ops: BaseDatabaseOperations
) -> dict[tuple[type, Any], tuple[str, Callable[[Any], Any] | None]]:
    """Each stand-in's name (and the adapter to apply to its real value) keyed by the
    parameter it becomes in the SQL. A backend that takes the value as given (PostgreSQL)
    keeps no adapter, so its calls adapt nothing."""
    adapters = _backend_adapters(ops)
    by_parameter: dict[tuple[type, Any], tuple[str, Callable[[Any], Any] | None]] = {}
    for name, value in stand_ins.items():
        adapt = adapters.get(type(value))
        if adapt is not None:
            adapted = adapt(value)
            by_parameter[(type(adapted), adapted)] = (name, adapt)
        by_parameter[(type(value), value)] = (name, None)
    return by_parameter


class _Compiled:
    """What ModelIterable reads of a queryset, around a compiler that is already set up."""

    def __init__(self, model: type[Model], db: str, compiler: SQLCompiler) -> None:
        self.model = model
        self.db = db
        self.query = self
        self._known_related_objects: dict = {}
        self._compiler = compiler

    def get_compiler(self, using: str) -> SQLCompiler:
        return self._compiler


class PreparedQuery:
    """`build(**values)` -> the queryset; `kinds` names each value's type. `objects(**values)`
    runs the compiled SQL and returns the model instances as the queryset would (its
    select_related rows and annotations included)."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: tuple[SQLCompiler, str, Sequence[_Slot], QuerySet] | None = None

    def _compile(self) -> tuple[SQLCompiler, str, Sequence[_Slot], QuerySet]:
        stand_ins = {
            name: _STAND_INS[kind](index) for index, (name, kind) in enumerate(self._kinds.items())
        }
        queryset = self._build(**stand_ins)
        # as_sql() also sets up the compiler's select list and related rows, which stay valid.
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        by_parameter = _slots_by_parameter(stand_ins, connections[queryset.db].ops)
        slots: list[_Slot] = [
            (*by_parameter[(type(p), p)], None) if (type(p), p) in by_parameter else (None, None, p)
            for p in params
        ]
        unused = set(stand_ins) - {name for name, _, _ in slots}
        if unused:
            raise ValueError(f"The compiled query does not carry {sorted(unused)} as parameters.")
        return compiler, sql, slots, queryset

    def objects(self, **values: Any) -> list[Model]:
        if self._compiled is None:
            self._compiled = self._compile()
        compiled, sql, slots, queryset = self._compiled
        params = tuple(
            constant if name is None else values[name] if adapt is None else adapt(values[name])
            for name, adapt, constant in slots
        )
        # A copy per call, on this thread's connection: gunicorn's threads share the prepared
        # query, and each thread's transaction (and row locks) is on its own connection.
        compiler = copy.copy(compiled)
        compiler.connection = connections[queryset.db]
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return list(ModelIterable(_Compiled(queryset.model, queryset.db, compiler)))
