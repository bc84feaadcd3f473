"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Playwright's sync API keeps an event loop running in the test thread, so Django's async-safety
check would refuse the ORM calls the tests make for set-up; the tests are synchronous code.
"""

import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config, items) -> None:
    if Path(CHROMIUM).exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


# Runs before any page script: a blocked resource, inline script or style raises this event.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def csp_violations_of(context) -> list[str]:
    """Collect the Content-Security-Policy violations on every page of this browser context:
    Chromium's "Refused to ..." console errors and securitypolicyviolation events."""
    violations: list[str] = []

    def on_console(message) -> None:
        text = message.text
        if text.startswith("Refused to") or text.startswith("CSP violation"):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("console", on_console)
    return violations


@pytest.fixture
def browser(browser):
    """Every context a browser test opens (pytest-playwright's page or its own) fails the test
    on any Content-Security-Policy violation: the pages must work under the strict policy."""
    contexts: list[tuple[object, list[str]]] = []
    new_context = browser.new_context

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        contexts.append((context, csp_violations_of(context)))
        return context

    browser.new_context = watched_new_context
    yield browser
    browser.new_context = new_context
    violations = [v for _, found in contexts for v in found]
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


def serious_accessibility_violations(page) -> list[str]:
    """Run axe-core on the page; return the serious and critical violations, described."""
    # Evaluated through the DevTools protocol, not a <script> tag, which the page's CSP refuses.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page) -> int:
    """Pixels the page is wider than the viewport (0 when there is no horizontal scroll)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# ------------------------------------------------------------------------------
# The journeys' worlds (tests/browser/test_journeys.py, test_journey_spanish.py)
# ------------------------------------------------------------------------------
@pytest.fixture
def recruiting_world(transactional_db) -> None:
    """Live-server tests flush the database: put the target states and markets back."""
    import_module("partners.migrations.0005_seed_target_states_and_markets").seed(apps, None)


@pytest.fixture
def received_day(partner, dsp_driver):
    """Four packages scanned in at this morning's drop-off, and the day's route planned."""
    from hubdelivery.lib.dates import local_date
    from packages import services
    from packages.models import HandoffDirection
    from routing.services import partner_route_build
    from tests.factories import ManifestFactory, PackageFactory

    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=dsp_driver.driver.dsp, partner=partner, service_date=today)
    streets = ["300 Beacon St", "12 Marlborough St", "45 Commonwealth Ave", "8 Newbury St"]
    packages = [PackageFactory(manifest=manifest, address_line=street) for street in streets]
    handoff = services.handoff_open(
        actor=dsp_driver, partner=partner, dsp=manifest.dsp,
        direction=HandoffDirection.DROP_OFF, service_date=today, idempotency_key="j4-open",
    ).handoff  # fmt: skip
    for n, package in enumerate(packages):
        services.package_receive(
            actor=dsp_driver, handoff=handoff, tracking_id=package.tracking_id,
            idempotency_key=f"j4-r{n}",
        )  # fmt: skip
    for actor in (dsp_driver, partner.owner):
        services.handoff_confirm(actor=actor, handoff=handoff, idempotency_key=f"j4-c{actor.pk}")
    partner_route_build(partner=partner, service_date=today)
    for package in packages:
        package.refresh_from_db()
    return packages
