"""Distance matrices between points, in whole metres: haversine by default, OSRM when configured.

No ORM and no Django at import time: `matrix_provider_from_settings` reads the setting lazily.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any, Protocol

from hubdelivery.lib.geo import METRES_PER_MILE, haversine_miles

# (latitude, longitude) in degrees.
Point = tuple[float, float]
Matrix = list[list[int]]


class DistanceMatrixProvider(Protocol):
    def matrix(self, points: Sequence[Point]) -> Matrix:
        """Square matrix of metres: row = from, column = to, in the order of `points`."""
        ...


class RoutingServiceError(RuntimeError):
    """The distance service could not answer (unreachable, timed out, or refused the request)."""


class HaversineMatrix:
    """Great-circle distances; symmetric, so each pair is computed once."""

    def matrix(self, points: Sequence[Point]) -> Matrix:
        size = len(points)
        result = [[0] * size for _ in range(size)]
        for i in range(size):
            lat1, lng1 = points[i]
            for j in range(i + 1, size):
                metres = round(haversine_miles(lat1, lng1, *points[j]) * METRES_PER_MILE)
                result[i][j] = result[j][i] = metres
        return result


class OsrmMatrix:
    """Road distances from an OSRM server's table service (`/table/v1/{profile}/...`).

    OSRM's default `--max-table-size` is 100 points; a server meant for 200-stop days must be
    started with a larger limit.
    """

    def __init__(self, base_url: str, timeout: float = 10.0, profile: str = "driving") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.profile = profile

    def matrix(self, points: Sequence[Point]) -> Matrix:
        if len(points) < 2:
            return [[0] * len(points) for _ in points]
        body = self._fetch(self._table_url(points))
        return _metres_from_table(body, len(points))

    def _table_url(self, points: Sequence[Point]) -> str:
        # OSRM takes longitude first.
        coordinates = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in points)
        return f"{self.base_url}/table/v1/{self.profile}/{coordinates}?annotations=distance"

    def _fetch(self, url: str) -> dict[str, Any]:
        if not url.startswith(("http://", "https://")):
            raise RoutingServiceError(f"OSRM URL must be http(s): {self.base_url!r}")
        try:
            # Bandit B310 (file:// and custom schemes): the scheme is checked above, http(s) only.
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise RoutingServiceError(
                f"OSRM at {self.base_url} answered HTTP {exc.code}: {_error_message(exc)}"
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise RoutingServiceError(f"OSRM at {self.base_url} is unreachable: {exc}") from exc
        except ValueError as exc:
            raise RoutingServiceError(f"OSRM at {self.base_url} sent invalid JSON") from exc


def _error_message(exc: urllib.error.HTTPError) -> str:
    # OSRM explains a refused request (e.g. TooBig) in the JSON body of the error response.
    try:
        body = json.loads(exc.read())
    except (ValueError, OSError):
        return str(exc.reason)
    return f"{body.get('code')}: {body.get('message', '')}".strip()


def _metres_from_table(body: dict[str, Any], size: int) -> Matrix:
    if body.get("code") != "Ok":
        raise RoutingServiceError(f"OSRM refused the table request: {body.get('code')}")
    rows = body.get("distances")
    if not isinstance(rows, list) or len(rows) != size or any(len(row) != size for row in rows):
        raise RoutingServiceError("OSRM table has no distances of the expected size")
    if any(value is None for row in rows for value in row):
        raise RoutingServiceError("OSRM found no road between some of the points")
    return [[round(value) for value in row] for row in rows]


def matrix_provider_for_url(osrm_url: str, timeout: float = 10.0) -> DistanceMatrixProvider:
    """OSRM when a URL is given, else haversine."""
    if osrm_url.strip():
        return OsrmMatrix(osrm_url.strip(), timeout=timeout)
    return HaversineMatrix()


def matrix_provider_from_settings() -> DistanceMatrixProvider:
    """The provider named by `settings.ROUTING_OSRM_URL` (empty or missing: haversine)."""
    from django.conf import settings  # Lazy, so this module imports without Django configured.

    return matrix_provider_for_url(
        getattr(settings, "ROUTING_OSRM_URL", ""),
        timeout=float(getattr(settings, "ROUTING_OSRM_TIMEOUT", 10.0)),
    )
