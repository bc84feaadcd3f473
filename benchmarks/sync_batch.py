"""A phone's outbox: one 30-event batch (POST /api/v1/sync) against one single scan request
(POST /api/v1/package-events), the floor, measured in the same run.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/sync_batch.py [--rounds 5] [--events 30] [--busy 2]

DATABASE_URL names the PostgreSQL server (any database on it). The script creates a
throwaway database next to it, migrates it, and drops it at the end. A partner, a DSP and its
driver, an open drop-off and enough manifested packages for every round. Each round, with
the driver's session (DRF test client, the whole Django and DRF stack, JSON in and out):

- the floor: `--events` single scan requests, each a fresh package scanned in at the
  drop-off (what the handoff page's API twin does once per label); the median of them;
- the batch: one request with `--events` scans of other fresh packages at the same drop-off.

The ratio batch / single is computed per round; the median of the rounds is reported, with
both medians. `--busy N` keeps N processes spinning on pure CPU work during the rounds
(benchmarks/route_quality.py), as on a shared machine.
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.pg import django_on_throwaway_database
from benchmarks.route_quality import busy


def setup_world(packages_needed: int):  # type: ignore[no-untyped-def]
    """A partner with a drop-off open and `packages_needed` packages still to scan in."""
    from django.core.management import call_command

    from hubdelivery.lib.dates import local_date
    from packages import services
    from packages.models import HandoffDirection
    from tests.factories import (
        DriverFactory,
        ManifestFactory,
        PackageFactory,
        PartnerFactory,
    )

    call_command("migrate", verbosity=0)
    driver = DriverFactory(user__email="bench-driver@example.com")
    partner = PartnerFactory()
    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=driver.dsp, partner=partner, service_date=today)
    packages = PackageFactory.create_batch(packages_needed, manifest=manifest)
    handoff = services.handoff_open(
        actor=driver.user,
        partner=partner,
        dsp=driver.dsp,
        direction=HandoffDirection.DROP_OFF,
        idempotency_key=str(uuid.uuid4()),
    ).handoff
    return driver.user, handoff, [package.tracking_id for package in packages]


def single_scan(client, handoff_id: int, tracking_id: str) -> float:  # type: ignore[no-untyped-def]
    body = {
        "tracking_id": tracking_id,
        "event_type": "received",
        "handoff": handoff_id,
        "idempotency_key": str(uuid.uuid4()),
        "device_time": "2026-11-29T14:03:11.123Z",
    }
    started = time.perf_counter()
    response = client.post("/api/v1/package-events", body, format="json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    return elapsed


def batch(client, handoff_id: int, tracking_ids: list[str]) -> float:  # type: ignore[no-untyped-def]
    events = [
        {
            "client_id": str(uuid.uuid4()),
            "type": "received",
            "handoff": handoff_id,
            "tracking_id": tracking_id,
            "device_time": "2026-11-29T14:03:11.123Z",
        }
        for tracking_id in tracking_ids
    ]
    started = time.perf_counter()
    response = client.post("/api/v1/sync", {"events": events}, format="json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    outcomes = {result["outcome"] for result in response.json()["results"]}
    assert outcomes == {"applied"}, outcomes
    return elapsed


def measure(rounds: int, events: int) -> None:
    from rest_framework.test import APIClient

    user, handoff, labels = setup_world(packages_needed=2 * events * (rounds + 1))
    client = APIClient()
    client.force_login(user)
    # A warm-up round: compiled statements, caches, the first connection.
    for label in labels[:events]:
        single_scan(client, handoff.pk, label)
    batch(client, handoff.pk, labels[events : 2 * events])
    fresh = iter(labels[2 * events :])
    singles, batches, ratios = [], [], []
    for round_number in range(rounds):
        single = statistics.median(
            single_scan(client, handoff.pk, next(fresh)) for _ in range(events)
        )
        whole = batch(client, handoff.pk, [next(fresh) for _ in range(events)])
        singles.append(single)
        batches.append(whole)
        ratios.append(whole / single)
        print(
            f"round {round_number + 1}: single scan {single * 1000:.1f} ms (median of {events}),"
            f" batch of {events} {whole * 1000:.1f} ms, ratio {whole / single:.2f}x"
        )
    print(f"{events}-event batch against one scan, median of {rounds} rounds:")
    print(f"  single POST /api/v1/package-events  {statistics.median(singles) * 1000:.1f} ms")
    print(f"  batch POST /api/v1/sync             {statistics.median(batches) * 1000:.1f} ms")
    print(f"  ratio batch / single                {statistics.median(ratios):.2f}x")
    print(
        f"  per event in the batch              {statistics.median(batches) / events * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--busy", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with django_on_throwaway_database(), busy(args.busy):
        measure(args.rounds, args.events)


if __name__ == "__main__":
    main()
