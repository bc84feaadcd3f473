"""The default cache in production: Redis, degrading instead of failing when Redis is down.

Without this, a Redis outage turns every log-in and every API call into a 500: allauth's rate
limits and DRF's throttles read the cache with no fallback. Here a connection error or timeout
opens a short circuit (RETRY_SECONDS, per thread), during which no call goes to Redis, and
each call is answered by the fallback its key's owner chose:

- a rate limit's key: its hubdelivery.lib.ratelimit.FAULT_POLICIES row (open: a cache that
  stores nothing; local: this process's memory; closed: a cache whose locks are never granted,
  which allauth's limiter reads as "over the limit");
- any other key (the dashboard's snapshot, allauth's used-TOTP markers): a miss, so the value
  is recomputed and nothing is stored.
"""

import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hubdelivery.lib.ratelimit import (
    FaultPolicy,
    fault_policy_apply_logged,
    limit_name_for_cache_key,
    warning_log_throttled,
)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0


class RefusingCache(DummyCache):
    """Stores nothing and grants no lock (`add` is False): a limiter that must take a lock
    refuses the request."""

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return False


FALLBACKS: dict[FaultPolicy, BaseCache] = {
    FaultPolicy.OPEN: DummyCache("open", {}),
    # One name for the process: LocMemCache instances with the same name share their storage.
    FaultPolicy.LOCAL: LocMemCache("hubdelivery-cache-down", {"OPTIONS": {"MAX_ENTRIES": 10_000}}),
    FaultPolicy.CLOSED: RefusingCache("closed", {}),
}


def fallback_for(key: str) -> BaseCache:
    limit = limit_name_for_cache_key(key)
    if limit is None:
        return FALLBACKS[FaultPolicy.OPEN]
    return FALLBACKS[fault_policy_apply_logged(limit)]


class DegradingRedisCache(RedisCache):
    """RedisCache whose calls never raise for an unreachable Redis (see the module docstring).
    Give OPTIONS socket_connect_timeout and socket_timeout, so an unanswering host is noticed
    in about a second rather than the kernel's minutes."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0

    def reachable(self) -> bool:
        """Ask Redis itself, circuit or not: for /healthz."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE:
            return False

    def _call(self, call: Callable[[], Any], degraded: Callable[[], Any]) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return call()
            except UNREACHABLE as error:
                self._down_until = time.monotonic() + RETRY_SECONDS
                warning_log_throttled("cache", "Cache unreachable (%s): degrading", error)
        return degraded()

    def _keyed(self, name: str, key: str, *args: Any) -> Any:
        return self._call(
            lambda: getattr(RedisCache, name)(self, key, *args),
            lambda: getattr(fallback_for(key), name)(key, *args),
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("touch", key, timeout, version)

    def delete(self, key, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("delete", key, version)

    def has_key(self, key, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("has_key", key, version)

    def incr(self, key, delta=1, version=None):  # type: ignore[no-untyped-def]
        return self._keyed("incr", key, delta, version)

    # Calls over several keys (no rate limit makes them) answer as an empty cache that stores
    # nothing.
    def get_many(self, keys, version=None):  # type: ignore[no-untyped-def]
        call = super().get_many
        return self._call(lambda: call(keys, version), dict)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):  # type: ignore[no-untyped-def]
        call = super().set_many
        return self._call(lambda: call(data, timeout, version), lambda: list(data))

    def delete_many(self, keys, version=None):  # type: ignore[no-untyped-def]
        call = super().delete_many
        return self._call(lambda: call(keys, version), lambda: None)

    def clear(self):  # type: ignore[no-untyped-def]
        return self._call(super().clear, lambda: False)
