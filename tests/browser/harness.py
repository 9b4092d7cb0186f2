"""A demo graph served by a real `aigraph serve`, and Debian's chromium driven by playwright.

Shared by the browser tests and `make screenshots`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = Path("/usr/bin/chromium")
AIGRAPH = Path(sys.executable).with_name("aigraph")
# Without the background-networking flags chromium calls home at start; these keep it quiet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_MODELS = 20
# A binary with lineage both ways: its run, model source and data upstream; downstream its deployment,
# whose inference logs feed a feature source (a feedback loop).
DEMO_BINARY = "mb/00001-2"


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (make install)"
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)"
    return None


def chromium_path() -> str:
    return str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))


def load_demo(database_url: str) -> None:
    command = [str(AIGRAPH), "demo", "--models", str(DEMO_MODELS), "--database", database_url]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def graphql(base: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data of a query sent the way the pages send it; errors fail loudly."""
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def lineage_keys(
    base: str,
    key: str,
    direction: str = "BOTH",
    depth: int = 2,
    *,
    types: list[str] | None = None,
    limit: int = 1000,
) -> set[str]:
    """The keys `lineage` answers for `key`, the root included: what the explorer must draw."""
    query = """query ($key: String!, $direction: LineageDirection!, $depth: Int!, $types: [EntityType!],
                      $limit: Int!) {
      lineage(key: $key, direction: $direction, depth: $depth, types: $types, limit: $limit) {
        root { key } nodes { entity { key } }
      }
    }"""
    variables = {"key": key, "direction": direction, "depth": depth, "types": types, "limit": limit}
    lineage = graphql(base, query, variables)["lineage"]
    return {lineage["root"]["key"]} | {node["entity"]["key"] for node in lineage["nodes"]}
