"""Screenshots of the demo portal at phone width, for docs/screenshots/.

Run `make run` in another terminal first, then:
    .venv/bin/python scripts/screenshots.py [base_url]
Needs Debian's chromium (/usr/bin/chromium) and the `playwright` package.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "hubdelivery-demo"  # noqa: S105 - the public demo password
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]  # fmt: skip
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# (file name, log-in email or None, path, viewport)
SHOTS = [
    ("landing-phone", None, "/", PHONE),
    ("partner-home-phone", "owner@demo.hub", "/partner/", PHONE),
    ("partner-staff-phone", "owner@demo.hub", "/partner/staff/", PHONE),
    ("partner-closures-phone", "owner@demo.hub", "/partner/closures/", PHONE),
    ("ops-partners-desktop", "reviewer@demo.hub", "/ops/partners/", DESKTOP),
    ("ops-partner-detail-phone", "reviewer@demo.hub", "/ops/partners/2/", PHONE),
]


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def main(base_url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for name, email, path, viewport in SHOTS:
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            if email:
                log_in(page, base_url, email)
            page.goto(f"{base_url}{path}")
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
            context.close()
            print(f"saved {name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
