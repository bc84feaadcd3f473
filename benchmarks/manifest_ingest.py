"""Manifest ingest: the REST API against a raw psycopg2 `execute_values` insert of the same rows.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/manifest_ingest.py [--rounds 3]

DATABASE_URL names the PostgreSQL server (any database on it). The script creates a
throwaway database next to it, migrates it, and drops it at the end. Each round posts a
5,000-package manifest through the API (DRF test client, DSP token, JSON body: parsing,
validation, the existing-tracking-id query, bulk insert, response) and then inserts the same
5,000 rows (new tracking ids) with one `execute_values` call and a commit. The best of the
rounds is reported, with the ratio API / raw.
"""

import argparse
import datetime
import json
import statistics
import sys
import time
from pathlib import Path

import psycopg2
from psycopg2.extras import execute_values

ROWS = 5000
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.pg import django_on_throwaway_database  # noqa: E402


def manifest_rows(prefix: str) -> list[dict]:
    streets = ["Commonwealth Ave", "Beacon St", "Boylston St", "Tremont St"]
    return [
        {
            "tracking_id": f"{prefix}{n:06d}",
            "recipient_name": f"Recipient {n}",
            "address_line": f"{n % 400 + 1} {streets[n % 4]}",
            "zip_code": ("02116", "02115", "02118")[n % 3],
            "size": ("small", "medium", "large")[n % 3],
        }
        for n in range(ROWS)
    ]


def setup_world():  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from accounts.roles import Role
    from hubdelivery.lib.zipdata import zip_lookup
    from packages.models import Dsp
    from packages.services import dsp_token_create
    from partners.models import Partner
    from tests.factories import PartnerFactory, UserFactory

    call_command("migrate", verbosity=0)
    owner = UserFactory(email="bench-owner@example.com", roles=[Role.PARTNER_OWNER])
    partner: Partner = PartnerFactory(owner=owner)
    dsp = Dsp.objects.create(name="Bench DSP")
    _, key = dsp_token_create(actor=None, dsp=dsp, label="bench")
    for zip_code in ("02116", "02115", "02118"):
        zip_lookup(zip_code)  # warm the ZIP cache, as in a long-running server
    return partner, dsp, key


def api_round(client, partner, service_date: datetime.date, prefix: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    body = json.dumps(
        {
            "external_id": f"BENCH-{prefix}",
            "partner": partner.pk,
            "service_date": service_date.isoformat(),
            "packages": manifest_rows(prefix),
        }
    )
    started = time.perf_counter()
    response = client.post("/api/v1/manifests", body, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    return elapsed, response.json()["id"]


def raw_round(url: str, partner, dsp, manifest_id: int, service_date, prefix: str) -> float:  # type: ignore[no-untyped-def]
    from hubdelivery.lib.zipdata import zip_lookup

    values = []
    for row in manifest_rows(prefix):
        place = zip_lookup(row["zip_code"])
        values.append(
            (
                row["tracking_id"], dsp.pk, manifest_id, partner.pk, service_date,
                row["recipient_name"], row["address_line"], place.city, row["zip_code"],
                place.latitude, place.longitude, row["size"], "manifested",
            )
        )  # fmt: skip
    connection = psycopg2.connect(url)
    started = time.perf_counter()
    with connection, connection.cursor() as cursor:
        execute_values(
            cursor,
            "INSERT INTO packages_package (tracking_id, dsp_id, manifest_id, partner_id, "
            "service_date, recipient_name, address_line, city, zip_code, latitude, longitude, "
            "size, status, created, assigned_by_routing, assignment_reason) VALUES %s",
            values,
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now(), false, '')",
            page_size=1000,
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with django_on_throwaway_database() as bench_url:
        from rest_framework.test import APIClient

        from hubdelivery.lib.dates import local_date

        partner, dsp, key = setup_world()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        service_date = local_date(tz_name=partner.time_zone)
        api_times, raw_times = [], []
        for round_number in range(args.rounds):
            api_time, manifest_id = api_round(client, partner, service_date, f"A{round_number}-")
            raw_time = raw_round(
                bench_url, partner, dsp, manifest_id, service_date, f"R{round_number}-"
            )
            api_times.append(api_time)
            raw_times.append(raw_time)
            print(f"round {round_number + 1}: API {api_time:.3f} s, raw {raw_time:.3f} s")
        api_best, raw_best = min(api_times), min(raw_times)
        print(f"{ROWS} packages, best of {args.rounds}:")
        api_median, raw_median = statistics.median(api_times), statistics.median(raw_times)
        print(f"  API POST /api/v1/manifests   {api_best:.3f} s (median {api_median:.3f} s)")
        print(f"  psycopg2 execute_values      {raw_best:.3f} s (median {raw_median:.3f} s)")
        print(f"  ratio API / raw              {api_best / raw_best:.2f}x")


if __name__ == "__main__":
    main()
