"""The browser pages and their assets: served by aigraph itself, vendored files as the manifest says."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.pages import STATIC

VENDOR = STATIC / "vendor"
# Anything a page could load from elsewhere: an absolute or protocol-relative URL in src/href/import.
FOREIGN_URL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|from\s+["'](?:https?:)?//|@import""")


@pytest.fixture
async def browser_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # The pages need no database: ASGITransport runs no lifespan, so none is opened.
    app = create_app(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_root_redirects_to_the_explorer(browser_client: httpx.AsyncClient) -> None:
    response = await browser_client.get("/")
    assert (response.status_code, response.headers["location"]) == (307, "/explore")


@pytest.mark.parametrize("path", ["/explore", "/explore/teams", "/graphql"])
async def test_pages_are_html(browser_client: httpx.AsyncClient, path: str) -> None:
    response = await browser_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("page", ["graphiql.html", "explore.html", "teams.html"])
async def test_every_asset_of_a_page_is_served(browser_client: httpx.AsyncClient, page: str) -> None:
    html = (STATIC / page).read_text()
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html)
    assert assets
    for asset in assets:
        assert (await browser_client.get(asset)).status_code == 200, asset


def test_no_page_or_script_of_ours_names_another_origin() -> None:
    ours = [path for path in STATIC.rglob("*") if path.is_file() and VENDOR not in path.parents]
    offenders = [str(path) for path in ours if FOREIGN_URL.search(path.read_text())]
    assert offenders == []


def test_vendored_files_match_their_manifest() -> None:
    manifest = json.loads((VENDOR / "VERSIONS.json").read_text())
    listed: dict[str, str] = {}
    for package in manifest["packages"]:
        assert package["version"] and package["license"]
        assert any(name.endswith(".LICENSE") for name in package["files"]), package["name"]
        listed.update(package["files"])
    on_disk = {path.name for path in VENDOR.iterdir()} - {"VERSIONS.json"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
