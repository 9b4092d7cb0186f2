"""The ingest benchmark's reference: parse a JSONL file and executemany its rows into SQLite.

No validation, no diffing, no SQLAlchemy: only the work any ingest must do, into a database that
already has aigraph's tables, indexes and triggers. Run as a script so that its time, like
`aigraph ingest`'s, is measured from process start to exit:

    python tests/bench/bare_ingest.py FILE DATABASE
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ENTITY_COLUMNS = (
    "id", "key", "type", "name", "owner_id", "system", "created_at", "updated_at", "properties", "kind",
    "uri", "description", "row_count", "purpose", "repository", "status", "started_at", "finished_at",
    "version", "environment", "region",
)  # fmt: skip
OWN_FIELDS = ENTITY_COLUMNS[9:]
TIMESTAMPS = {"created_at", "started_at", "finished_at"}
# Reference field on the downstream record -> edge kind (edges point upstream -> downstream).
EDGE_FIELDS = {
    "logged_from": "LOGS",
    "sources": "FEEDS",
    "features": "COMPOSES",
    "datasets": "TRAINS",
    "model_source": "EXECUTES",
    "run": "PRODUCES",
    "binaries": "DEPLOYED_TO",
}


def micros(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


TABLES = ("team", "metric_definition", "metric_framework", "entity", "edge", "metric_value")


def rows(records: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, with ids assigned here (references may point forward)."""
    teams: dict[str, int] = {}
    entities: dict[str, int] = {}
    metrics: dict[str, int] = {}
    ids = {"Team": teams, "MetricDefinition": metrics, "MetricValue": None, "MetricFramework": None}
    for record in records:
        table = ids.get(record["type"], entities)
        if table is not None:
            table[record["key"]] = len(table) + 1
    now = micros(datetime.now(UTC).isoformat())
    result: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
    for record in records:
        kind = record["type"]
        if kind == "Team":
            parent = teams.get(record.get("parent") or "")
            result["team"].append(
                (teams[record["key"]], record["key"], record["name"], parent, "{}", now, now)
            )
        elif kind == "MetricDefinition":
            result["metric_definition"].append(definition_row(record, metrics[record["key"]], now))
        elif kind == "MetricFramework":
            result["metric_framework"].append(framework_row(record, len(result["metric_framework"]) + 1, now))
        elif kind == "MetricValue":
            metric, entity = metrics[record["metric"]], entities[record["entity"]]
            observed = micros(record["observed_at"])
            result["metric_value"].append((metric, entity, observed, float(record["value"])))
        else:
            result["entity"].append(entity_row(record, entities[record["key"]], teams, now))
            result["edge"].extend(edge_rows(record, entities))
    return result


def definition_row(record: dict[str, Any], metric_id: int, now: int) -> tuple[Any, ...]:
    named = (metric_id, record["key"], record["name"], record.get("description"), record["category"])
    described = (record.get("entity_type"), record.get("unit"), record.get("higher_is_better"))
    return (*named, *described, orjson.dumps(record["buckets"]).decode(), False, now, now)


def framework_row(record: dict[str, Any], framework_id: int, now: int) -> tuple[Any, ...]:
    named = (framework_id, record["key"], record["name"], record.get("description"), record["entity_type"])
    trees = (orjson.dumps(record["buckets"]).decode(), orjson.dumps(record["root"]).decode())
    return (*named, *trees, now, now)


def entity_row(record: dict[str, Any], entity_id: int, teams: dict[str, int], now: int) -> tuple[Any, ...]:
    created = micros(record["created_at"]) if "created_at" in record else now
    own = [
        micros(record[name]) if name in TIMESTAMPS and record.get(name) else record.get(name)
        for name in OWN_FIELDS
    ]
    owner = teams.get(record.get("owner") or "")
    common = (entity_id, record["key"], record["type"], record["name"], owner, record.get("system"))
    return (*common, created, now, "{}", *own)


def edge_rows(record: dict[str, Any], entities: dict[str, int]) -> list[tuple[Any, ...]]:
    target = entities[record["key"]]
    edges: list[tuple[Any, ...]] = []
    for field, kind in EDGE_FIELDS.items():
        value = record.get(field)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                source = entities[item["binary"]]
                edges.append((source, kind, target, item.get("traffic_percent"), item.get("role", "CONTROL")))
            else:
                edges.append((entities[item], kind, target, None, None))
    return edges


def main(source: str, database: str) -> None:
    with open(source, "rb") as handle:
        records = [orjson.loads(line) for line in handle if line.strip()]
    table_rows = rows(records)
    connection = sqlite3.connect(database, isolation_level=None)
    # The same connection settings as aigraph's (graph/db.py).
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("BEGIN IMMEDIATE")
    for table in TABLES:
        if table_rows[table]:
            columns = ENTITY_COLUMNS if table == "entity" else None
            marks = ", ".join("?" * len(table_rows[table][0]))
            names = f" ({', '.join(columns)})" if columns else ""
            connection.executemany(f"INSERT INTO {table}{names} VALUES ({marks})", table_rows[table])
    connection.execute("COMMIT")
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
