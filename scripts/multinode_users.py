"""The multi-node proof's load (scripts/multinode_proof.py runs it in a child process):
benchmarks/load_users.py's mix, partners scanning and delivering while ops browse, through
the load balancer.

    python scripts/multinode_users.py PLAN.json SECONDS OUT.json

What it adds to the benchmark's people:
- a write the balancer answers 502/503/504 or 0 (the node died with the request in flight)
  counts as a failure and is sent again with the same idempotency key, as the portal's
  clients do, so the person goes on with a package the portal knows about;
- every request's start, end and outcome, and the idempotency keys of the writes that were
  answered as done, are written to OUT.json for the proof to compare with the database.
This process never imports Django: locust's gevent monkey-patching comes first.
"""

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import load_users

RETRY_STATUSES = {0, 502, 503, 504}
RETRIES = 3
WRITES = ("scan", "deliver", "attempt")
STOP_SECONDS = 15


class ProofPartner(load_users.MixPartner):
    abstract = True

    def post(self, url: str, name: str, **kwargs):  # type: ignore[no-untyped-def]
        """POST; a request lost with its node is sent again with the same key."""
        context = {"idempotency_key": (kwargs.get("data") or {}).get("idempotency_key", "")}
        for _ in range(RETRIES):
            response = super().post(url, name, context=context, **kwargs)
            if response.status_code not in RETRY_STATUSES:
                return response
            with response:
                error = str(response.error or "")[:120]
                response.failure(f"HTTP {response.status_code}: lost with its node {error}")
            gevent.sleep(0.5)
        return super().post(url, name, context=context, **kwargs)


def user_classes() -> list[type]:
    def of(base: type, people: list[dict]) -> type:
        return type(base.__name__, (base,), {
            "abstract": False, "people": list(people), "fixed_count": len(people),
            "host": load_users.PLAN["host"],
        })  # fmt: skip

    return [
        of(ProofPartner, load_users.PLAN["partners"]),
        of(load_users.Ops, load_users.PLAN["ops"]),
    ]


def run(seconds: float) -> dict[str, Any]:
    requests: list[dict[str, Any]] = []
    times: dict[str, list[float]] = defaultdict(list)

    def on_request(name, response_time, exception, context, **_) -> None:  # type: ignore[no-untyped-def]
        end = time.time()
        times[name].append(response_time)
        requests.append({
            "name": name, "start": end - response_time / 1000, "end": end,
            "failure": None if exception is None else str(exception)[:200],
            "idempotency_key": (context or {}).get("idempotency_key", ""),
        })  # fmt: skip

    classes = user_classes()
    # At the end each person finishes what they are doing: a write cut off by the end of the
    # run would be stored without its answer, like one lost with its node.
    environment = Environment(user_classes=classes, stop_timeout=STOP_SECONDS)
    environment.events.request.add_listener(on_request)
    runner = environment.create_local_runner()
    count = sum(c.fixed_count for c in classes)
    runner.start(count, spawn_rate=count / load_users.RAMP_SECONDS)
    gevent.sleep(seconds)
    runner.stop()
    runner.quit()
    all_times = [t for values in times.values() for t in values]
    failures = [r["failure"] for r in requests if r["failure"]]
    return {
        "users": count,
        "requests": requests,
        "total": load_users.summary(all_times, failures),
        "done_keys": sorted({
            r["idempotency_key"] for r in requests
            if r["name"] in WRITES and r["failure"] is None and r["idempotency_key"]
        }),
    }  # fmt: skip


if __name__ == "__main__":
    load_users.PLAN.update(json.loads(Path(sys.argv[1]).read_text()))
    load_users.PHOTO = load_users.proof_photo()
    Path(sys.argv[3]).write_text(json.dumps(run(float(sys.argv[2]))))
