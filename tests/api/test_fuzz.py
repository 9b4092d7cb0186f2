"""Queries generated from schema.graphql against the app on a demo graph: no 5xx, nothing internal shown.

Generating a query costs more than answering it, so one set is generated per session and sent to
the app on each engine.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.demo import demo_records
from graph.ingest import ingest, record_list
from metrics.builtin import install_builtins

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
EXAMPLES = 500
# What an unmasked internal error would carry: driver, ORM or Python internals.
INTERNALS = re.compile(
    r"Traceback|sqlalchemy|asyncpg|sqlite|psycopg|NoneType|object has no attribute|Error\("
)

# Valid timestamps, and strings that only look like one.
DATE_TIMES = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.sampled_from(["", "now", "2026-13-01T00:00:00Z", "10000-01-01T00:00:00Z", "-1"]),
    st.text(max_size=30),
).map(lambda value: StringValueNode(value=value))
JSON_VALUES = st.text(max_size=20).map(lambda value: StringValueNode(value=value))


@pytest.fixture(scope="session")
def generated_queries() -> list[str]:
    generated: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # Reproducible in CI: the same queries every run, more of them by raising EXAMPLES.
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(queries(SCHEMA, custom_scalars={"DateTime": DATE_TIMES, "JSON": JSON_VALUES}))
    def collect(query: str) -> None:
        generated.append(query)

    collect()
    return generated


async def test_generated_queries_never_fail_inside(
    engine: AsyncEngine, client: httpx.AsyncClient, generated_queries: list[str]
) -> None:
    await install_builtins(engine)
    await ingest(engine, record_list(list(demo_records(8))))
    outcomes: Counter[str] = Counter()
    failures: list[tuple[str, Any]] = []
    for query in generated_queries:
        response = await client.post("/graphql", json={"query": query})
        outcomes["queries"] += 1
        outcomes[f"HTTP {response.status_code}"] += 1
        if response.status_code >= 500:
            failures.append((query, response.text))
            continue
        for error in response.json().get("errors") or []:
            message = str(error.get("message", ""))
            if message.startswith("Unexpected error"):
                outcomes["masked internal errors"] += 1
                failures.append((query, message))
            elif INTERNALS.search(message):
                failures.append((query, message))
            else:
                outcomes["user errors"] += 1
    print(f"\n{engine.dialect.name}: {dict(outcomes)}")
    assert outcomes["queries"] >= EXAMPLES
    assert failures == []
