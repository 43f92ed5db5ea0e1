"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without a Chromium on the machine these tests are skipped with one line; with
``LINER_REQUIRE_BROWSER=1`` (CI sets it) a missing browser fails the run instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    explicit = os.environ.get("LINER_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config, items):
    browser_items = [i for i in items if "tests/browser/" in str(i.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if not browser_items or chromium_path():
        return
    message = "no Chromium on this machine (apt-get install chromium)"
    if os.environ.get("LINER_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Browser tests are required here but there is {message}.")
    config.issue_config_time_warning(
        pytest.PytestWarning(f"Skipping {len(browser_items)} browser tests: {message}."),
        stacklevel=2,
    )
    skip = pytest.mark.skip(reason=message)
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, so Django's async guard must not trip on them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
