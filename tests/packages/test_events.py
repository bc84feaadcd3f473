"""One writer of the custody log, one writer of package statuses (issue 14, finding 11).

Every PackageEvent is written by packages/events.py and every package status change is made
by packages/services/common.py (which checks the transition table); the code is read, not
run, so a new path that builds events or sets statuses by hand fails here.
"""

import ast
import datetime
from pathlib import Path

import pytest
from django.db import models

from packages import services
from packages.events import package_event_record, package_events_record
from packages.models import PackageEvent, PackageEventType, PackageStatus
from tests.packages.conftest import new_key

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "partners", "packages", "routing", "dashboard", "hubdelivery")
EVENT_WRITER = Path("packages/events.py")
STATUS_WRITER = Path("packages/services/common.py")
EVENT_WRITES = {
    "PackageEvent",
    "PackageEvent.objects.create",
    "PackageEvent.objects.bulk_create",
    "PackageEvent.objects.get_or_create",
    "PackageEvent.objects.update_or_create",
}


def app_modules_parse() -> list[tuple[Path, ast.Module]]:
    trees = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts:
                trees.append((relative, ast.parse(path.read_text(), filename=str(path))))
    return trees


# Parsed when pytest collects this module, before any test starts a thread: CPython 3.11
# keeps the AST builder's recursion count in interpreter-wide state, so a parse that races
# another thread's (a live server's request thread formatting a traceback parses the failing
# line) fails with "AST constructor recursion depth mismatch" (python/cpython#106905).
APP_MODULES = app_modules_parse()


def event_writes(tree: ast.AST) -> list[str]:
    calls = (node for node in ast.walk(tree) if isinstance(node, ast.Call))
    return [
        ast.unparse(call)[:60]
        for call in calls
        if (name := ast.unparse(call.func)) in EVENT_WRITES or name.endswith("events.create")
    ]


def _assigned(node: ast.Assign) -> list[ast.expr]:
    """The assignment's targets, tuples unpacked (`a.status, a.at = ...`)."""
    targets = []
    for target in node.targets:
        targets += target.elts if isinstance(target, ast.Tuple) else [target]
    return targets


def _is_package_status(target: ast.expr) -> bool:
    return (
        isinstance(target, ast.Attribute)
        and target.attr == "status"
        and "package" in ast.unparse(target.value).lower()
    )


def _is_package_status_update(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = ast.unparse(node.func)
    return (
        name.startswith("Package.objects")
        and name.endswith((".update", ".bulk_update"))
        and any(keyword.arg == "status" for keyword in node.keywords)
    )


def package_status_writes(tree: ast.AST) -> list[str]:
    """`package.status = ...` and `Package.objects....update(status=...)`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            found += [ast.unparse(t) for t in _assigned(node) if _is_package_status(t)]
        if _is_package_status_update(node):
            found.append(ast.unparse(node)[:60])
    return found


def test_every_package_event_is_written_by_the_events_module():
    # given every module of the apps, when searched for PackageEvent writes
    offenders = {
        str(path): writes
        for path, tree in APP_MODULES
        if path != EVENT_WRITER and (writes := event_writes(tree))
    }
    # then there are none outside packages/events.py
    assert offenders == {}


def test_every_package_status_change_goes_through_the_transition_functions():
    offenders = {
        str(path): writes
        for path, tree in APP_MODULES
        if path != STATUS_WRITER and (writes := package_status_writes(tree))
    }
    assert offenders == {}


def test_the_search_finds_a_hand_built_event_and_a_hand_set_status():
    # given: code that bypasses both writers; then: both searches see it
    tree = ast.parse(
        "PackageEvent(package=p)\n"
        "PackageEvent.objects.bulk_create([e])\n"
        "package.status, package.status_changed_at = 'missing', now\n"
        "Package.objects.filter(pk=1).update(status='missing')\n"
    )
    assert len(event_writes(tree)) == 2
    assert len(package_status_writes(tree)) == 2


def test_event_kinds_are_choices_and_the_column_is_held_to_them():
    assert issubclass(PackageEventType, models.TextChoices)
    assert PackageEvent._meta.get_field("event_type").choices == PackageEventType.choices


def test_an_unknown_event_kind_is_refused_before_it_is_written(partner_owner):
    with pytest.raises(ValueError):
        package_event_record(actor=partner_owner, event_type="lost_at_sea", idempotency_key="k")
    assert not PackageEvent.objects.exists()


def test_bulk_events_are_the_same_rows_as_single_ones(partner_owner, received):
    # given: the same event written alone and in bulk
    fields = {
        "actor": partner_owner,
        "event_type": PackageEventType.MISSING,
        "package": received,
        "from_status": PackageStatus.MANIFESTED,
        "to_status": PackageStatus.MISSING,
        "detail": {"why": "test"},
    }
    single = package_event_record(idempotency_key=new_key(), **fields)
    (bulk,) = package_events_record(events=[{"idempotency_key": new_key(), **fields}])
    # then: the same columns, both stamped with the server's time and the package's label
    columns = ("tracking_id", "event_type", "from_status", "to_status", "detail", "actor_id")
    assert [getattr(single, c) for c in columns] == [getattr(bulk, c) for c in columns]
    assert bulk.pk is not None and bulk.tracking_id == received.tracking_id
    assert bulk.received_at - single.received_at < datetime.timedelta(seconds=5)


def test_missing_at_close_events_are_logged_with_derived_keys(
    drop_off, dsp_driver, partner_owner, manifested
):
    # when: the drop-off closes with nothing scanned
    services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key="d-key")
    services.handoff_confirm(actor=partner_owner, handoff=drop_off, idempotency_key="p-key")
    # then: one missing event per package, from manifested, keyed from the closing request
    events = PackageEvent.objects.filter(event_type=PackageEventType.MISSING).order_by("id")
    assert [e.idempotency_key for e in events] == [f"p-key:missing:{p.pk}" for p in manifested]
    assert {(e.from_status, e.to_status) for e in events} == {("manifested", "missing")}
    assert all(e.handoff_id == drop_off.pk and e.actor == partner_owner for e in events)
