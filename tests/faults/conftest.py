"""Fault tests: a Redis of the test's own (never the shared one on 6379), stopped and started
at will, and caches pointed at it."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.test import override_settings

from hubdelivery.celery import app
from hubdelivery.lib import cache as degrading_cache
from hubdelivery.lib import ratelimit
from hubdelivery.lib.ratelimit import FaultPolicy
from tests.celery_worker import reset_connection_pools


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def degrading_cache_settings(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "hubdelivery.lib.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@dataclass
class OwnRedis:
    port: int
    workdir: Path

    def start(self) -> None:
        # --save "" and --appendonly no: nothing of this instance outlives it.
        options = {"port": self.port, "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        options |= {"daemonize": "yes", "dir": self.workdir, "pidfile": self.workdir / "pid"}
        options |= {"logfile": self.workdir / "redis.log"}
        arguments = [part for name, value in options.items() for part in (f"--{name}", str(value))]
        subprocess.run([binary("redis-server"), *arguments], check=True)  # noqa: S603
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        subprocess.run(  # noqa: S603 - the system's redis-cli, our own instance only
            [binary("redis-cli"), "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    """A redis-server on a free port, for this test only; shut down afterwards."""
    instance = OwnRedis(port=free_port(), workdir=tmp_path)
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def cache_on_own_redis(own_redis) -> Iterator[OwnRedis]:
    with override_settings(CACHES=degrading_cache_settings(own_redis.port)):
        yield own_redis


@pytest.fixture
def cache_unreachable() -> Iterator[None]:
    """The default cache pointed at a port where nothing listens: every call is refused."""
    with override_settings(CACHES=degrading_cache_settings(free_port())):
        yield


@pytest.fixture(autouse=True)
def _fresh_fault_state() -> None:
    """Per-process fallback counters and the warnings' clock start empty in each test."""
    degrading_cache.FALLBACKS[FaultPolicy.LOCAL].clear()
    ratelimit._last_warned.clear()


@contextmanager
def celery_broker_at(url: str) -> Iterator[None]:
    """Celery publishes to `url` (no eager mode) inside the block."""
    keys = ("broker_url", "task_always_eager")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, task_always_eager=False)
    reset_connection_pools()
    try:
        yield
    finally:
        app.conf.update(previous)
        reset_connection_pools()
