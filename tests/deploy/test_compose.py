"""The compose files, the image and the health check, checked without Docker.

Docker's engine and its compose plugin are absent from CI, so the files are checked against
the Compose Specification's JSON schema (check-jsonschema's vendored copy, pinned in
pyproject.toml), and the rules of issue 16 are asserted on the parsed YAML."""

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from deploy.healthcheck import health_host
from deploy.healthcheck import main as healthcheck_main

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE_FILES = ["docker-compose.yml", "docker-compose.multinode.yml"]


def compose(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def app_services(spec: dict) -> dict[str, dict]:
    """The services that run the portal's image (web, workers, beat, migrate)."""
    return {
        name: service
        for name, service in spec["services"].items()
        if service.get("image") == "hubdelivery:latest"
    }


def test_compose_files_are_valid_compose_specification_documents():
    # when both files are checked against the Compose Specification's schema
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         *COMPOSE_FILES],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # then the schema finds nothing wrong
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_every_portal_process_gets_site_url_and_the_production_settings(name):
    # given the services that run the portal's image
    services = app_services(compose(name))
    assert services
    # then each one is told the portal's address and runs the production settings
    for service in services.values():
        assert "SITE_URL" in service["environment"]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "hubdelivery.settings.production"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_exactly_one_beat_runs_in_each_deployment(name):
    # given every service's command
    services = compose(name)["services"]
    beats = [s for s in services.values() if "beat" in s.get("command", [])]
    # then one service runs beat, as one replica
    assert len(beats) == 1
    assert beats[0]["deploy"]["replicas"] == 1


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_mailpit_is_pinned_and_listens_on_the_loopback_only(name):
    mailpit = compose(name)["services"]["mailpit"]
    # then its image names a version, not a moving tag
    image, _, tag = mailpit["image"].partition(":")
    assert image == "axllent/mailpit"
    assert tag and tag != "latest"
    # and its web UI (every email sent) is published on 127.0.0.1 only, with a password
    # when MAILPIT_UI_AUTH is set
    assert all(port.startswith("127.0.0.1:") for port in mailpit["ports"])
    assert mailpit["environment"]["MP_UI_AUTH"] == "${MAILPIT_UI_AUTH:-}"


def test_multinode_layout_has_two_web_nodes_two_workers_behind_a_balancer_and_pgbouncer():
    services = compose("docker-compose.multinode.yml")["services"]
    # then two web nodes and two workers run, with one load balancer and PgBouncer
    web = [s for s in services.values() if "gunicorn" in s.get("command", [])]
    workers = [s for s in services.values() if "worker" in s.get("command", [])]
    assert len(web) == 2
    assert len(workers) == 2
    assert services["lb"]["image"].startswith("haproxy:")
    # and every long-running portal process reaches PostgreSQL through PgBouncer, in the
    # mode that keeps no cursor open across transactions
    for name, service in app_services({"services": services}).items():
        if name == "migrate":
            assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
            continue
        assert "@pgbouncer:6432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["DATABASE_POOLER"] == "pgbouncer"


def test_pgbouncer_pools_transactions():
    ini = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    assert "\npool_mode = transaction\n" in ini


def test_the_balancers_health_check_sends_a_host_the_portal_allows():
    # given .env.example and the balancer's configuration
    example = env_example()
    allowed = [name.strip() for name in example["ALLOWED_HOSTS"].split(",")]
    cfg = (ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text()
    # then the check's Host is HEALTH_HOST, which .env.example sets to an allowed name
    assert 'hdr Host "${HEALTH_HOST}"' in cfg
    assert example["HEALTH_HOST"] in allowed


def test_dockerignore_keeps_history_secrets_and_uploads_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for entry in (".git", ".venv", ".env", "media/", "db.sqlite3"):
        assert entry in ignored


def test_image_installs_dependencies_before_it_copies_the_code():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    first_copy = next(n for n, line in enumerate(lines) if line.startswith("COPY"))
    code_copy = lines.index("COPY . .")
    install = next(n for n, line in enumerate(lines) if "pip install" in line)
    # then only pyproject.toml comes in before the dependencies are installed
    assert lines[first_copy] == "COPY pyproject.toml ./"
    assert first_copy < install < code_copy


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("portal.example.com", "portal.example.com"),
        (" portal.example.com , www.example.com", "portal.example.com"),
        (".example.com", "example.com"),
        ("", "localhost"),
        ("*", "localhost"),
    ],
)
def test_health_check_host_is_the_first_allowed_name(allowed_hosts, host):
    assert health_host(allowed_hosts) == host


@pytest.mark.django_db(transaction=True)
def test_container_health_check_passes_where_a_bare_request_to_127_0_0_1_is_refused(
    live_server, settings, monkeypatch
):
    # given the portal allows only its public name, as with .env.example
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.com")
    url = f"{live_server.url}/healthz"
    # when a request names the container's own address, Django refuses it
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)  # noqa: S310
    assert refused.value.code == 400
    # then the health check, which names the allowed host, passes
    assert healthcheck_main(url) == 0
