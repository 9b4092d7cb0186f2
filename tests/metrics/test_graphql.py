"""The metrics GraphQL part, on a schema that merges it with the core query (as the app will)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.tools import merge_types

from api.context import Info, get_context
from api.queries import CoreQuery
from api.schema import CONCRETE_TYPES
from api.types.metrics import MetricResult, MetricsQuery, entity_metrics
from graph.models import entity_table
from metrics.builtin import install_builtins
from tests.metrics.factory import binary, deployment, load, run, source, team, value
from tests.metrics.test_statement_counts import counting


@strawberry.type(description="An entity as the Entity interface will expose metrics on it.")
class Probe:
    key: str = strawberry.field(description="Entity key.")
    row_id: strawberry.Private[int]
    metrics: list[MetricResult] = strawberry.field(resolver=entity_metrics, description="Metrics.")


@strawberry.type(description="Test-only root fields.")
class ProbeQuery:
    @strawberry.field(description="Entities by key, as probes.")
    async def probes(self, info: Info, keys: list[str]) -> list[Probe]:
        async with info.context.engine.connect() as connection:
            query = select(entity_table.c.id, entity_table.c.key).where(entity_table.c.key.in_(keys))
            rows = (await connection.execute(query.order_by(entity_table.c.key))).all()
        return [Probe(key=row.key, row_id=row.id) for row in rows]


SCHEMA = strawberry.Schema(
    query=merge_types("Query", (CoreQuery, MetricsQuery, ProbeQuery)), types=CONCRETE_TYPES
)


async def _run(engine: AsyncEngine, query: str) -> tuple[dict[str, Any] | None, list[str]]:
    result = await SCHEMA.execute(query, context_value=get_context(engine))
    return result.data, [error.message for error in result.errors or []]


async def _graph(engine: AsyncEngine, models: int = 3) -> None:
    await install_builtins(engine)
    records: list[dict[str, Any]] = [team("org/x"), team("team/a", "org/x")]
    for index in range(models):
        records += [
            source(f"ms/{index:03d}", "team/a"),
            run(f"run/{index:03d}", f"ms/{index:03d}", created=1),
            binary(f"mb/{index:03d}", f"run/{index:03d}", created=2),
            deployment(f"dep/{index:03d}", [(f"mb/{index:03d}", "CONTROL")], created=3),
            value("accuracy", f"mb/{index:03d}", 0.95, observed=2),
        ]
    await load(engine, *records)


async def test_metric_rollup_answers_per_team(engine: AsyncEngine) -> None:
    await _graph(engine)
    data, errors = await _run(
        engine,
        """{ metricRollup(metric: "retraining_recency_days", asOf: "2026-01-11T00:00:00Z") {
              team { key } entityCount meanScore buckets { label count }
              children { team { key } entityCount children { team { key } entityCount } } } }""",
    )
    assert errors == []
    assert data == {
        "metricRollup": {
            "team": None,
            "entityCount": 3,
            "meanScore": 1.0,
            "buckets": [
                {"label": "FRESH", "count": 3},
                {"label": "AGING", "count": 0},
                {"label": "STALE", "count": 0},
                {"label": "NO_DATA", "count": 0},
            ],
            "children": [
                {
                    "team": {"key": "org/x"},
                    "entityCount": 3,
                    "children": [{"team": {"key": "team/a"}, "entityCount": 3}],
                }
            ],
        }
    }


async def test_scorecard_and_rollup_of_the_default_framework(engine: AsyncEngine) -> None:
    await _graph(engine)
    data, errors = await _run(
        engine,
        """{ scorecard(key: "ms/000", framework: "model_maturity", asOf: "2026-01-11T00:00:00Z") {
              name score bucket children { name weight score bucket metric { value bucket metric { key } } } }
             rollup(framework: "model_maturity", under: "team/a", asOf: "2026-01-11T00:00:00Z") {
              team { key } entityCount meanScore } }""",
    )
    assert errors == []
    assert data is not None
    card = data["scorecard"]
    assert (card["name"], card["score"], card["bucket"]) == ("maturity", 1.0, "GOOD")
    assert [child["name"] for child in card["children"]] == ["freshness", "quality", "drift", "governance"]
    assert card["children"][1]["metric"] == {"value": 0.95, "bucket": "GOOD", "metric": {"key": "accuracy"}}
    assert card["children"][2]["score"] is None
    assert data["rollup"] == {"team": {"key": "team/a"}, "entityCount": 3, "meanScore": 1.0}


async def test_definitions_and_frameworks_are_listed(engine: AsyncEngine) -> None:
    await _graph(engine)
    data, errors = await _run(
        engine,
        """{ metricDefinitions(category: GOVERNANCE) {
               key entityType unit derived buckets { label below score } }
             frameworks { key entityType root {
               name aggregate children { name weight metricKey via reduce } } } }""",
    )
    assert errors == []
    assert data is not None
    assert [d["key"] for d in data["metricDefinitions"]] == [
        "deployed_binary_age_days",
        "has_owner",
        "retraining_recency_days",
    ]
    assert data["metricDefinitions"][1]["entityType"] is None
    (framework,) = data["frameworks"]
    assert framework["entityType"] == "MODEL_SOURCE"
    assert framework["root"]["children"][2] == {
        "name": "drift",
        "weight": 1.0,
        "metricKey": "drift_psi",
        "via": "DEPLOYMENTS",
        "reduce": "WORST",
    }


async def test_unknown_names_are_errors_naming_them(engine: AsyncEngine) -> None:
    await _graph(engine)
    _, errors = await _run(
        engine, '{ rollup(framework: "model_maturity", under: "team/nope") { entityCount } }'
    )
    assert errors == ["unknown team 'team/nope'"]
    _, errors = await _run(engine, '{ probes(keys: ["ms/000"]) { metrics(keys: ["nope"]) { value } } }')
    assert errors == ["unknown metric 'nope'"]


async def test_entity_metrics_are_batched_across_entities(engine: AsyncEngine) -> None:
    await _graph(engine, models=30)
    query = """{ probes(keys: [%s]) { key metrics(keys: ["has_owner", "retraining_recency_days"]) {
                  metric { key } value bucket score observedAt } } }"""

    async def statements(count: int) -> int:
        keys = ", ".join(f'"ms/{index:03d}"' for index in range(count))
        with counting(engine) as seen:
            data, errors = await _run(engine, query % keys)
        assert errors == [] and data is not None and len(data["probes"]) == count
        assert data["probes"][0]["metrics"][0]["metric"]["key"] == "has_owner"
        return len(seen)

    assert await statements(3) == await statements(30)
