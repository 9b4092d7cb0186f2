"""`make screenshots`: PNGs of GraphiQL, the explorer and team health on a demo graph, into docs/.

Usage: python -m tests.browser.screenshots [DIRECTORY]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.api.server_process import serving
from tests.browser.harness import CHROMIUM_ARGS, DEMO_BINARY, chromium_path, load_demo, missing_browser

TIMEOUT_MS = 30_000


def _graphiql(page: Page, path: Path) -> None:
    page.goto("/graphql")
    page.locator(".graphiql-execute-button").click(timeout=TIMEOUT_MS)
    page.locator(".result-window").get_by_text('"lineage"').wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=path)


def _explorer(page: Page, path: Path) -> None:
    page.goto(f"/explore?key={DEMO_BINARY}")
    page.locator(f'#lineage .node.root[data-key="{DEMO_BINARY}"]').wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=path, full_page=True)


def _teams(page: Page, path: Path) -> None:
    page.goto("/explore/teams")
    page.locator("#maturity .bar .bucket").first.wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=path)


def main(directory: Path) -> None:
    reason = missing_browser()
    if reason is not None:
        sys.exit(f"screenshots need chromium and playwright: {reason}")
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        database_url = f"sqlite+aiosqlite:///{Path(scratch) / 'demo.db'}"
        load_demo(database_url)
        with serving(database_url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=base, viewport={"width": 1400, "height": 860})
            for name, take in [("graphiql", _graphiql), ("explorer", _explorer), ("teams", _teams)]:
                take(page, directory / f"{name}.png")
                print(directory / f"{name}.png")
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
