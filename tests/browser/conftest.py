"""Browser fixtures: one demo server per session, a fresh page per test that records console errors.

Every test skips, saying why, where chromium or playwright is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.api.server_process import serving
from tests.browser.harness import CHROMIUM_ARGS, chromium_path, load_demo, missing_browser

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = missing_browser()
    if reason is not None:
        pytest.skip(f"browser tests need chromium and playwright: {reason}")
    database = Path(tmp_path_factory.mktemp("browser")) / "demo.db"
    database_url = f"sqlite+aiosqlite:///{database}"
    load_demo(database_url)
    with serving(database_url) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Browser]:
    # Module scope, not session: sync playwright keeps an event loop running in this thread while
    # it is open, and the asyncio tests of other modules need the thread free of one.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900})
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()
