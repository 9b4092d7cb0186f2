"""Every GraphQL example in the README runs without errors against `make run`'s demo data."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.demo import DEFAULT_NOW, demo_records
from graph.ingest import ingest, record_list
from metrics.builtin import install_builtins

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
# Inline examples in prose: `{ node(id: "...") { ... } }`.
EXAMPLES += re.findall(r"`(\{ node\(id: [^`]*\})`", README.read_text(encoding="utf-8"))


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.fixture
async def demo(engine: AsyncEngine) -> AsyncEngine:
    await install_builtins(engine)
    await ingest(engine, record_list(list(demo_records(100, seed=7, now=DEFAULT_NOW))))
    return engine


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example{index}" for index in range(len(EXAMPLES))])
async def test_readme_example_answers_without_errors(
    demo: AsyncEngine, writer: httpx.AsyncClient, example: str
) -> None:
    response = await writer.post("/graphql", json={"query": example})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    assert all(value is not None for value in body["data"].values()), body
