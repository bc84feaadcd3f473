"""The invariants the database itself enforces, whatever code writes."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from packages.models import (
    Handoff,
    HandoffItem,
    HandoffOutcome,
    Package,
    PackageEvent,
    PackageSize,
    PackageStatus,
)
from tests.factories import PackageFactory


def refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def handoff(partner, dsp, **fields) -> Handoff:
    values = {
        "partner": partner,
        "dsp": dsp,
        "direction": "drop_off",
        "service_date": datetime.date(2026, 11, 25),
        "opened_at": timezone.now(),
        **fields,
    }
    return Handoff.objects.create(**values)


def test_tracking_ids_are_unique(db):
    package = PackageFactory()
    assert refused(lambda: PackageFactory(tracking_id=package.tracking_id))


def test_status_must_be_a_known_value(db):
    package = PackageFactory()
    assert refused(lambda: Package.objects.filter(pk=package.pk).update(status="lost_at_sea"))


def test_one_open_handoff_per_partner_direction_and_date(partner, dsp):
    handoff(partner, dsp)
    assert refused(lambda: handoff(partner, dsp))
    # a return, another day, or a closed one are fine
    handoff(partner, dsp, direction="return")
    handoff(partner, dsp, service_date=datetime.date(2026, 11, 26))
    handoff(partner, dsp, status="closed")


@pytest.mark.parametrize("field", ["expected", "received", "missing", "damaged", "unexpected"])
def test_handoff_counts_cannot_go_negative(partner, dsp, field):
    assert refused(lambda: handoff(partner, dsp, **{field: -1}))


def test_idempotency_keys_are_unique(db):
    package = PackageFactory()
    common = {"package": package, "event_type": "received", "received_at": timezone.now()}
    PackageEvent.objects.create(idempotency_key="k-1", **common)
    assert refused(lambda: PackageEvent.objects.create(idempotency_key="k-1", **common))


@pytest.mark.parametrize(
    ("model", "field", "choices"),
    [
        (Package, "status", PackageStatus),
        (Package, "size", PackageSize),
        (HandoffItem, "outcome", HandoffOutcome),
    ],
)
def test_the_row_labels_are_the_choices_labels(model, field, choices):
    # given every value of the field, and one that is none of them (an old row)
    for value, label in [*choices.choices, ("lost_at_sea", "lost_at_sea")]:
        row = model(**{field: value})
        # when / then: the label Django's own get_FOO_display gives
        assert getattr(row, f"get_{field}_display")() == label
        assert row._get_FIELD_display(model._meta.get_field(field)) == label
