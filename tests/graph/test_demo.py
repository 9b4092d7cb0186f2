"""The demo generator: deterministic, realistic, and one valid batch whose counts ingest confirms."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import open_engine
from graph.defaults import DEFAULT_DEFINITIONS, DERIVED_DEFINITIONS
from graph.defaults import MODEL_MATURITY as SHIPPED_FRAMEWORK
from graph.demo import DEFAULT_NOW, demo_records, expected_counts, write_demo_jsonl
from graph.demo_metrics import MODEL_MATURITY
from graph.ingest import IngestSummary, ingest, jsonl_file, record_list
from graph.timestamps import parse_timestamp

DERIVED_KEYS = {"retraining_recency_days", "deployed_binary_age_days", "has_owner"}
TIMESTAMP_FIELDS = ("created_at", "started_at", "finished_at", "observed_at")


def of_type(records: list[dict[str, Any]], record_type: str) -> list[dict[str, Any]]:
    return [record for record in records if record["type"] == record_type]


async def register_derived_metrics(engine: AsyncEngine) -> None:
    # Only the derived definitions the framework names, so that the demo's own ones are created.
    await ingest(engine, record_list(DERIVED_DEFINITIONS), derived=True)


async def load(engine: AsyncEngine, records: list[dict[str, Any]]) -> IngestSummary:
    await register_derived_metrics(engine)
    return await ingest(engine, record_list(records))


def created_per_type(summary: IngestSummary) -> dict[str, int]:
    return {name: counts.created for name, counts in summary.counts.items() if counts.created}


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return list(demo_records(100, seed=7))


def test_same_seed_gives_the_same_records() -> None:
    assert list(demo_records(30, seed=3)) == list(demo_records(30, seed=3))


def test_different_seeds_give_different_graphs() -> None:
    assert list(demo_records(30, seed=3)) != list(demo_records(30, seed=4))


def test_thousand_models_make_about_seventy_thousand_records() -> None:
    assert 65_000 <= sum(expected_counts(demo_records(1000)).values()) <= 80_000


def test_jsonl_file_holds_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    counts = write_demo_jsonl(path, 20, seed=5)
    assert counts == expected_counts(demo_records(20, seed=5))
    assert len(path.read_bytes().splitlines()) == sum(counts.values())


def test_no_timestamp_is_after_now(records: list[dict[str, Any]]) -> None:
    moments = [parse_timestamp(r[name]) for r in records for name in TIMESTAMP_FIELDS if name in r]
    assert max(moments) <= DEFAULT_NOW


def test_every_category_has_a_definition(records: list[dict[str, Any]]) -> None:
    categories = {definition["category"] for definition in of_type(records, "MetricDefinition")}
    assert categories == {"MODEL", "ECOSYSTEM", "SAFETY", "FAIRNESS", "GOVERNANCE"}


def test_the_framework_and_its_definitions_are_the_specified_ones(records: list[dict[str, Any]]) -> None:
    definitions = {d["key"]: d for d in of_type(records, "MetricDefinition")}
    assert definitions["accuracy"]["entity_type"] == "ModelBinary"
    assert definitions["accuracy"]["buckets"] == [
        {"label": "POOR", "below": 0.8, "score": 0},
        {"label": "FAIR", "below": 0.9, "score": 0.5},
        {"label": "GOOD", "score": 1},
    ]
    assert (definitions["drift_psi"]["entity_type"], definitions["drift_psi"]["category"]) == (
        "ModelDeployment",
        "SAFETY",
    )
    assert [(b["label"], b.get("below"), b["score"]) for b in definitions["drift_psi"]["buckets"]] == [
        ("STABLE", 0.1, 1),
        ("SHIFTING", 0.25, 0.5),
        ("DRIFTED", None, 0),
    ]
    assert of_type(records, "MetricFramework") == [MODEL_MATURITY]


def test_derived_metrics_are_never_emitted(records: list[dict[str, Any]]) -> None:
    defined = {d["key"] for d in of_type(records, "MetricDefinition")}
    valued = {v["metric"] for v in of_type(records, "MetricValue")}
    assert not (defined | valued) & DERIVED_KEYS


def test_values_have_a_history(records: list[dict[str, Any]]) -> None:
    observations = Counter((v["metric"], v["entity"]) for v in of_type(records, "MetricValue"))
    assert max(observations.values()) >= 5
    assert {metric for (metric, _), count in observations.items() if count >= 2} >= {"accuracy", "drift_psi"}


def test_some_models_are_stale_and_some_fresh(records: list[dict[str, Any]]) -> None:
    model_of_run = {run["key"]: run["model_source"] for run in of_type(records, "WorkflowRun")}
    newest: dict[str, Any] = {}
    for binary in of_type(records, "ModelBinary"):
        model, made = model_of_run[binary["run"]], parse_timestamp(binary["created_at"])
        newest[model] = max(newest.get(model, made), made)
    ages = [DEFAULT_NOW - made for made in newest.values()]
    assert any(age > timedelta(days=90) for age in ages)
    assert any(age < timedelta(days=30) for age in ages)


def test_runs_succeed_fail_and_are_running(records: list[dict[str, Any]]) -> None:
    statuses = Counter(run["status"] for run in of_type(records, "WorkflowRun"))
    assert set(statuses) == {"SUCCEEDED", "FAILED", "RUNNING"}


def test_runs_produce_one_or_two_binaries(records: list[dict[str, Any]]) -> None:
    produced = Counter(binary["run"] for binary in of_type(records, "ModelBinary"))
    assert set(produced.values()) == {1, 2}


def test_deployments_split_traffic_between_control_and_canary(records: list[dict[str, Any]]) -> None:
    entries = [d["binaries"] for d in of_type(records, "ModelDeployment")]
    split = [e for e in entries if {entry["role"] for entry in e} == {"CONTROL", "CANARY"}]
    assert split
    assert all(sum(entry["traffic_percent"] for entry in e) == 100 for e in split)


def test_some_entities_have_no_owner(records: list[dict[str, Any]]) -> None:
    entities = [r for r in records if "created_at" in r]
    assert 0 < sum("owner" not in r for r in entities) < len(entities) // 10


def test_team_hierarchy_has_uneven_depth(records: list[dict[str, Any]]) -> None:
    parents = {team["key"]: team.get("parent") for team in of_type(records, "Team")}
    owners = {r["owner"] for r in records if "owner" in r}

    def depth(key: str) -> int:
        parent = parents[key]
        return 1 if parent is None else 1 + depth(parent)

    assert sum(parent is None for parent in parents.values()) >= 2
    assert {depth(owner) for owner in owners} >= {3, 4}


async def test_ingest_creates_what_the_generator_counts(engine: AsyncEngine) -> None:
    records = list(demo_records(60, seed=11))
    summary = await load(engine, records)
    assert created_per_type(summary) == expected_counts(records)
    assert summary.warnings == []


async def test_thousand_model_file_ingests_with_matching_counts(sqlite_url: str, tmp_path: Path) -> None:
    # SQLite only: the smaller batches above cover PostgreSQL, this one covers scale.
    path = tmp_path / "demo.jsonl"
    counts = write_demo_jsonl(path, 1000)
    engine = await open_engine(sqlite_url)
    try:
        await register_derived_metrics(engine)
        summary = await ingest(engine, jsonl_file(path))
    finally:
        await engine.dispose()
    assert created_per_type(summary) == counts


async def test_reingesting_the_demo_changes_nothing(engine: AsyncEngine) -> None:
    records = list(demo_records(40))
    await load(engine, records)
    again = await load(engine, records)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(records))


async def test_feedback_logs_make_cycles(engine: AsyncEngine) -> None:
    await load(engine, list(demo_records(60)))
    # Follow every edge downstream from each deployment's own logs: a cycle comes back to it.
    cycles = text(
        """
        WITH RECURSIVE reach(deployment, node) AS (
            SELECT source_id, target_id FROM edge WHERE kind = 'LOGS'
            UNION
            SELECT reach.deployment, edge.target_id FROM reach JOIN edge ON edge.source_id = reach.node
        )
        SELECT count(DISTINCT deployment) FROM reach WHERE node = deployment
        """
    )
    async with engine.connect() as connection:
        assert (await connection.execute(cycles)).scalar_one() >= 2


def test_every_feedback_log_names_its_deployment(records: list[dict[str, Any]]) -> None:
    logs = [s for s in of_type(records, "FeatureSource") if s["kind"] == "LOG"]
    deployments = {d["key"] for d in of_type(records, "ModelDeployment")}
    by_deployment: defaultdict[str, int] = defaultdict(int)
    for log in logs:
        for deployment in log["logged_from"]:
            by_deployment[deployment] += 1
    assert logs
    assert set(by_deployment) <= deployments


def test_the_framework_and_its_metrics_are_the_shipped_ones(records: list[dict[str, Any]]) -> None:
    definitions = {d["key"]: d for d in of_type(records, "MetricDefinition")}
    assert [definitions[d["key"]] for d in DEFAULT_DEFINITIONS] == DEFAULT_DEFINITIONS
    assert MODEL_MATURITY == SHIPPED_FRAMEWORK
