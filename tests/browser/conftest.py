"""Browser tests: Playwright for Python driving Debian's Chromium against the live test server.
Screenshots of the pages go to var/screenshots/ so a person can look at them after a run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make there are
# ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PARCERIA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("PARCERIA_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (own cookies) on the live server, 1280×800, Brazilian Portuguese."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                  locale="pt-BR", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "portal-dashboard") writes var/screenshots/portal-dashboard.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, username: str, password: str, *, totp_key_hex: str | None = None) -> None:
    """Sign in through the real form; staff pass the second factor with a code computed from their key."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    if totp_key_hex is not None:
        from django_otp.oath import totp

        page.fill("input[name=token]", f"{totp(bytes.fromhex(totp_key_hex)):06d}")
        page.click("main button[type=submit]")


STAFF_PASSWORD = "correct horse battery staple 7"


def staff_page(browser, live_server, width: int, locale: str, *, username: str = "pm",
               role: str = "partner_manager") -> tuple[object, object]:
    """A new browser context (`width` px wide, in `locale`) signed in to the console as a new staff user of `role`
    who passed the second factor; answers (context, page). The caller closes the context."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from parceria.accounts.services import user_create
    from tests.factories import ACTOR

    user = user_create(username=username, password=STAFF_PASSWORD, role=role, email=f"{username}@example.com",
                       actor=ACTOR)
    key = TOTPDevice.objects.create(user=user, name="phone", confirmed=True).key
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, username, STAFF_PASSWORD, totp_key_hex=key)
    page.wait_for_url("**/console/")
    return context, page
