"""Distance matrices: haversine, and the OSRM client against a local stand-in server."""

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hubdelivery.lib.distances import (
    HaversineMatrix,
    OsrmMatrix,
    RoutingServiceError,
    matrix_provider_for_url,
    matrix_provider_from_settings,
)
from hubdelivery.lib.geo import METRES_PER_MILE, haversine_miles

BOSTON = (42.3601, -71.0589)
CAMBRIDGE = (42.3736, -71.1097)
SOMERVILLE = (42.3876, -71.0995)


# -- haversine -------------------------------------------------------------------------------


def test_haversine_matrix_is_symmetric_with_a_zero_diagonal():
    matrix = HaversineMatrix().matrix([BOSTON, CAMBRIDGE, SOMERVILLE])
    assert all(matrix[i][i] == 0 for i in range(3))
    assert all(matrix[i][j] == matrix[j][i] for i in range(3) for j in range(3))


def test_haversine_matrix_agrees_with_geo_haversine_in_metres():
    matrix = HaversineMatrix().matrix([BOSTON, CAMBRIDGE])
    assert matrix[0][1] == round(haversine_miles(*BOSTON, *CAMBRIDGE) * METRES_PER_MILE)
    assert 4_000 < matrix[0][1] < 4_600  # about 2.7 miles across the river


def test_haversine_matrix_of_one_degree_of_latitude_is_about_111_km():
    matrix = HaversineMatrix().matrix([(42.0, -71.0), (43.0, -71.0)])
    assert 111_000 < matrix[0][1] < 111_400


def test_haversine_matrix_of_no_points_is_empty():
    assert HaversineMatrix().matrix([]) == []


# -- OSRM ------------------------------------------------------------------------------------


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table like OSRM; `behaviour` on the server picks the answer."""

    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        behaviour = self.server.behaviour  # type: ignore[attr-defined]
        if behaviour == "slow":
            time.sleep(1.0)
        if behaviour == "too_big":
            self._answer(400, {"code": "TooBig", "message": "Too many table coordinates"})
            return
        coordinates = self.path.split("/")[-1].split("?")[0].split(";")
        size = len(coordinates)
        distances = [
            [0.0 if i == j else 1000.4 * (i + j) for j in range(size)] for i in range(size)
        ]
        if behaviour == "no_route":
            distances[0][1] = None
        self._answer(200, {"code": "Ok", "distances": distances})

    def _answer(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # The client timed out first, as the slow-server test means it to.

    def log_message(self, format: str, *args: object) -> None:  # Keep test output quiet.
        pass


class JoiningHTTPServer(ThreadingHTTPServer):
    """Closing waits for the request threads, so none outlives its test: a thread that prints
    a traceback while a later test parses Python source trips CPython 3.11's shared AST
    recursion counter ("AST constructor recursion depth mismatch")."""

    daemon_threads = False
    block_on_close = True


@pytest.fixture
def osrm() -> Iterator[ThreadingHTTPServer]:
    server = JoiningHTTPServer(("127.0.0.1", 0), FakeOsrm)
    server.paths = []  # type: ignore[attr-defined]
    server.behaviour = "ok"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def test_osrm_matrix_asks_the_table_service_longitude_first(osrm):
    # when
    OsrmMatrix(url_of(osrm), profile="foot").matrix([BOSTON, CAMBRIDGE])
    # then
    assert osrm.paths == [
        "/table/v1/foot/-71.058900,42.360100;-71.109700,42.373600?annotations=distance"
    ]


def test_osrm_matrix_returns_whole_metres(osrm):
    matrix = OsrmMatrix(url_of(osrm)).matrix([BOSTON, CAMBRIDGE, SOMERVILLE])
    assert matrix == [[0, 1000, 2001], [1000, 0, 3001], [2001, 3001, 0]]


def test_osrm_matrix_of_one_point_needs_no_server():
    assert OsrmMatrix("http://127.0.0.1:9").matrix([BOSTON]) == [[0]]


def test_osrm_matrix_says_when_the_server_is_unreachable():
    # given: a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # when / then
    with pytest.raises(RoutingServiceError, match=r"OSRM at http://127.0.0.1:\d+ is unreachable"):
        OsrmMatrix(f"http://127.0.0.1:{port}", timeout=2).matrix([BOSTON, CAMBRIDGE])


def test_osrm_matrix_gives_up_after_the_timeout(osrm):
    osrm.behaviour = "slow"
    with pytest.raises(RoutingServiceError, match="unreachable"):
        OsrmMatrix(url_of(osrm), timeout=0.2).matrix([BOSTON, CAMBRIDGE])


def test_osrm_matrix_reports_the_servers_refusal(osrm):
    osrm.behaviour = "too_big"
    with pytest.raises(RoutingServiceError, match="HTTP 400: TooBig: Too many table coordinates"):
        OsrmMatrix(url_of(osrm)).matrix([BOSTON, CAMBRIDGE])


def test_osrm_matrix_refuses_a_table_with_missing_roads(osrm):
    osrm.behaviour = "no_route"
    with pytest.raises(RoutingServiceError, match="no road"):
        OsrmMatrix(url_of(osrm)).matrix([BOSTON, CAMBRIDGE])


def test_osrm_matrix_refuses_a_non_http_url():
    with pytest.raises(RoutingServiceError, match="must be http"):
        OsrmMatrix("file:///etc/passwd").matrix([BOSTON, CAMBRIDGE])


# -- choosing the provider -------------------------------------------------------------------


def test_provider_for_an_empty_url_is_haversine():
    assert isinstance(matrix_provider_for_url("  "), HaversineMatrix)


def test_provider_for_a_url_is_osrm():
    provider = matrix_provider_for_url("http://osrm.internal:5000/", timeout=3)
    assert isinstance(provider, OsrmMatrix)
    assert provider.base_url == "http://osrm.internal:5000"
    assert provider.timeout == 3


def test_provider_from_settings_follows_routing_osrm_url(settings):
    settings.ROUTING_OSRM_URL = "http://osrm.internal:5000"
    assert isinstance(matrix_provider_from_settings(), OsrmMatrix)
    settings.ROUTING_OSRM_URL = ""
    assert isinstance(matrix_provider_from_settings(), HaversineMatrix)


def test_provider_from_settings_without_the_setting_is_haversine(settings):
    del settings.ROUTING_OSRM_URL
    assert isinstance(matrix_provider_from_settings(), HaversineMatrix)


def test_distances_and_ordering_import_without_django_configured():
    # Pure modules: a benchmark or a worker may import them before settings exist.
    code = (
        "import sys, hubdelivery.lib.distances, routing.ordering\n"
        "from django.conf import settings\n"
        "assert 'django.db' not in sys.modules and not settings.configured"
    )
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
