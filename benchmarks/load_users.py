"""The load benchmark's simulated people (locust), run by benchmarks/load.py in a child process.

    .venv/bin/python benchmarks/load_users.py PLAN.json PHASE SECONDS

PLAN.json (written by load.py) holds the server's address, each user's session and CSRF
cookies, and the packages each partner scans and delivers. PHASE is one of:

- warmup: the pages, over and over, unmeasured (workers compile templates, open connections);
- mix: the partners scan and deliver with think time while ops browse the dashboard;
- floor: the bare one-row view, every user without think time;
- scan: the handoff scan alone, every user without think time, on handoffs of their own.

Prints one JSON line: per request name, the count, failures, percentiles and a few failure
messages; the phase's wall time; this process's CPU time (the load generator shares the CPU).
This process never imports Django: locust's gevent monkey-patching comes first.
"""

import io
import json
import math
import random
import resource
import sys
import time
import uuid
from collections import defaultdict
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from locust.exception import StopUser
from PIL import Image

PLAN: dict[str, Any] = json.loads(Path(sys.argv[1]).read_text()) if __name__ == "__main__" else {}
THINK_TIME = between(0.5, 2.0)  # a person with a phone and a scanner between two actions
OPS_THINK_TIME = between(2.0, 6.0)  # reading a page before the next click
ATTEMPT_SHARE = 0.05  # deliveries that fail (and open an incident)
PHOTO_SHARE = 0.5  # the other deliveries give the recipient's name
RAMP_SECONDS = 5


def proof_photo() -> bytes:
    """A small JPEG, made once: a phone's photo is re-encoded by the server either way."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 120, 60)).save(out, format="JPEG", quality=80)
    return out.getvalue()


PHOTO = proof_photo() if __name__ == "__main__" else b""


def cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(0, name, value, None, False, host, False, False, "/", True, False, None,
                  False, None, None, {})  # fmt: skip


class Person(FastHttpUser):
    """A logged-in person: the session and CSRF cookies come from the plan (sessions are made
    directly in the database, so log-in rate limits and MFA are not part of the run)."""

    abstract = True
    people: list[dict] = []

    def on_start(self) -> None:
        self.become(self.people.pop())

    def become(self, person: dict) -> None:
        self.me = person
        host = self.host.split("//", 1)[1].split(":")[0]
        self.client.cookiejar.set_cookie(cookie("sessionid", self.me["session"], host))
        self.client.cookiejar.set_cookie(cookie("csrftoken", self.me["csrf"], host))

    def post(self, url: str, name: str, **kwargs):  # type: ignore[no-untyped-def]
        headers = {"X-CSRFToken": self.me["csrf"], **kwargs.pop("headers", {})}
        return self.client.post(url, name=name, headers=headers, catch_response=True, **kwargs)

    def page(self, url: str, name: str) -> None:
        """GET a page; anything but 200 fails (a redirect would be to the log-in page)."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"HTTP {page.status_code}")


class Partner(Person):
    """A partner's phone: scans the morning drop-off in, package by package, and delivers the
    packages already received (label scan, then proof) in between."""

    abstract = True
    wait_time = THINK_TIME

    def become(self, person: dict) -> None:
        super().become(person)
        self.to_scan: list[str] = list(self.me["to_scan"])
        self.to_deliver: list[str] = list(self.me["to_deliver"])
        self.page(f"/handoffs/{self.me['handoff']}/", "handoff page")

    def scan(self) -> None:
        tracking_id = self.to_scan.pop()
        data = {"tracking_id": tracking_id, "idempotency_key": str(uuid.uuid4())}
        url = f"/handoffs/{self.me['handoff']}/scan/"
        with self.post(url, "scan", data=data, headers={"HX-Request": "true"}) as response:
            if response.status_code == 200 and b"scan-ok" not in response.content:
                response.failure(f"scan of {tracking_id} not received")
        self.to_deliver.insert(0, tracking_id)  # delivered after the ones received earlier

    def deliver(self) -> None:
        tracking_id = self.to_deliver.pop()
        deliver_url = f"/packages/{tracking_id}/deliver/"
        with self.client.get(
            f"/today/deliver/?tracking_id={tracking_id}",
            name="label check",
            headers={"HX-Request": "true"},
            catch_response=True,
        ) as response:
            if response.status_code == 200 and deliver_url.encode() not in response.content:
                response.failure(f"{tracking_id} is not deliverable")
        gevent.sleep(self.wait_time())  # takes the photo or types the name
        key = str(uuid.uuid4())
        if random.random() < ATTEMPT_SHARE:
            data = {"idempotency_key": key, "reason": "recipient_unavailable"}
            self.redirected(f"/packages/{tracking_id}/attempt/", "attempt", data=data)
        elif random.random() < PHOTO_SHARE:
            files = {"photo": ("door.jpg", PHOTO, "image/jpeg")}
            self.redirected(deliver_url, "deliver", data={"idempotency_key": key}, files=files)
        else:
            data = {"idempotency_key": key, "recipient_name": "A. Neighbour"}
            self.redirected(deliver_url, "deliver", data=data)

    def redirected(self, url: str, name: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """POST, expect the redirect to the today page, then follow it as a browser does."""
        with self.post(url, name, allow_redirects=False, **kwargs) as response:
            if response.status_code != 302 or response.headers.get("Location") != "/today/":
                response.failure(f"HTTP {response.status_code}, not the redirect to /today/")
                return
        self.page("/today/", "today page")


class MixPartner(Partner):
    abstract = True

    @task
    def next_action(self) -> None:
        if self.to_scan and (not self.to_deliver or random.random() < 0.5):
            self.scan()
        elif self.to_deliver:
            self.deliver()
        else:
            self.page("/today/", "today page")


class Ops(Person):
    """Ops at a desk: the dashboard (the default week and the last 30 days), its CSV, the ops
    home, the handoff list, one handoff, the incident queue and one package's timeline."""

    abstract = True
    wait_time = OPS_THINK_TIME

    @task(4)
    def dashboard(self) -> None:
        self.page("/ops/dashboard/", "ops dashboard")

    @task(2)
    def dashboard_month(self) -> None:
        query = f"date_from={PLAN['month_from']}&date_to={PLAN['today']}"
        self.page(f"/ops/dashboard/?{query}", "ops dashboard, 30 days")

    @task(1)
    def dashboard_csv(self) -> None:
        self.page("/ops/dashboard/partner-scorecards.csv", "ops dashboard CSV")

    @task(1)
    def ops_home(self) -> None:
        self.page("/ops/", "ops home")

    @task(2)
    def handoffs(self) -> None:
        self.page("/ops/handoffs/", "ops handoffs")

    @task(2)
    def handoff(self) -> None:
        self.page(f"/ops/handoffs/{random.choice(PLAN['ops_handoffs'])}/", "ops handoff")

    @task(1)
    def incidents(self) -> None:
        self.page("/ops/incidents/", "ops incidents")

    @task(2)
    def package(self) -> None:
        self.page(f"/ops/packages/{random.choice(PLAN['ops_packages'])}/", "ops package")


class Scanner(Partner):
    """Scans without pause; when one partner's drop-off is done it takes the next partner's
    (there are more of them than scanners), so every handoff stays partner-sized."""

    abstract = True
    wait_time = constant(0)

    @task
    def next_scan(self) -> None:
        if not self.to_scan and self.people:
            self.become(self.people.pop())
        if self.to_scan:
            self.scan()
        else:  # out of packages: the plan was too small for this machine's speed
            self.environment.events.request.fire(
                request_type="POST", name="scan", response_time=0, response_length=0,
                exception=RuntimeError("out of packages to scan"), context={},
            )  # fmt: skip
            raise StopUser


class Floor(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    @task
    def read_one_row(self) -> None:
        low, high = PLAN["floor_pks"]
        self.client.get(f"/bench/floor/{random.randint(low, high)}/", name="floor")


class Warmup(Person):
    """Every page each phase asks for, without writing anything."""

    abstract = True
    wait_time = constant(0)

    @task
    def pages(self) -> None:
        if self.me.get("handoff"):
            self.page(f"/handoffs/{self.me['handoff']}/", "handoff page")
            self.page("/today/", "today page")
        else:
            for path in ("/ops/", "/ops/dashboard/", "/ops/handoffs/", "/ops/incidents/"):
                self.page(path, path)
        low, high = PLAN["floor_pks"]
        self.client.get(f"/bench/floor/{random.randint(low, high)}/", name="floor")


def user_classes(phase: str) -> list[type]:
    """Concrete classes for the phase, each with its people and its exact count."""

    def of(base: type, people: list[dict], count: int | None = None) -> type:
        return type(base.__name__, (base,), {
            "abstract": False, "people": list(people), "fixed_count": count or len(people),
            "host": PLAN["host"],
        })  # fmt: skip

    if phase == "mix":
        return [of(MixPartner, PLAN["partners"]), of(Ops, PLAN["ops"])]
    if phase == "scan":
        return [of(Scanner, PLAN["scanners"], count=PLAN["scanner_count"])]
    if phase == "floor":
        return [of(Floor, [{}] * PLAN["scanner_count"])]
    return [of(Warmup, PLAN["partners"][:5] + PLAN["scanners"][:5] + PLAN["ops"])]


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float], failures: list[str]) -> dict[str, Any]:
    ordered = sorted(values) or [0.0]
    return {
        "count": len(values),
        "failures": len(failures),
        "failure_samples": sorted(set(failures))[:3],
        "p50": percentile(ordered, 0.50),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }


def run(phase: str, seconds: float) -> dict[str, Any]:
    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, list[str]] = defaultdict(list)

    def on_request(name: str, response_time: float, exception: Exception | None, **_) -> None:  # type: ignore[no-untyped-def]
        times[name].append(response_time)
        if exception is not None:
            failures[name].append(str(exception)[:200])

    classes = user_classes(phase)
    environment = Environment(user_classes=classes)
    environment.events.request.add_listener(on_request)
    runner = environment.create_local_runner()
    count = sum(c.fixed_count for c in classes)
    started = time.perf_counter()
    # The mix's people start over RAMP_SECONDS, not all in the same instant; the saturation
    # phases start everyone at once.
    runner.start(count, spawn_rate=count / RAMP_SECONDS if phase == "mix" else count)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    wall = time.perf_counter() - started
    stats = {name: summary(values, failures[name]) for name, values in sorted(times.items())}
    stats["total"] = summary(
        [t for values in times.values() for t in values],
        [f for messages in failures.values() for f in messages],
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "phase": phase,
        "users": count,
        "wall": wall,
        "stats": stats,
        "cpu": usage.ru_utime + usage.ru_stime,
    }


if __name__ == "__main__":
    result = run(sys.argv[2], float(sys.argv[3]))
    print(json.dumps(result))
