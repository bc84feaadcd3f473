"""The load benchmark (benchmarks/load.py) as a smoke run: gunicorn on PostgreSQL with a few
partners, one ops user and a few seconds a phase. It proves the run works end to end (data,
sessions, every user flow, the floor); it asserts no timings, which the full run reports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.alone,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the load benchmark runs gunicorn on PostgreSQL (DATABASE_URL)",
    ),
]


def test_load_smoke_run_makes_requests_in_every_phase_without_a_failure():
    # when the benchmark runs in smoke mode against the test run's PostgreSQL server
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    # then every phase made requests and none failed (the script checks both)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "failures, all phases: 0" in done.stdout
    for phase in ("mix", "floor", "scan"):
        assert f"\n{phase}: " in done.stdout, output[-4000:]
