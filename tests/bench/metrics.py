"""Metrics benchmark: rollup of model_maturity over the whole team tree, and a scorecard, on a demo graph.

Each is printed beside the bare SQL aggregate computing the same numbers, written by hand for this
framework and run through the stdlib sqlite3 module on the same file in the same run, so the ratio
holds on a noisy machine. The numbers are checked equal before anything is timed. The targets
(PERFORMANCE.md) set a bound on the rollup only; the scorecard's ratio is printed for reference.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from graph.db import open_engine
from graph.demo import DEFAULT_NOW, demo_records
from graph.ingest import ingest
from graph.sources import record_list
from graph.timestamps import to_micros
from metrics.builtin import install_builtins
from metrics.rollup import RollupNode, rollup
from metrics.scorecard import scorecard

MODELS = int(os.environ.get("AIGRAPH_BENCH_MODELS", "1000"))
REPEATS = int(os.environ.get("AIGRAPH_BENCH_REPEATS", "20"))
TARGET_RATIO = 3.0

# Every model source's model_maturity score, the way one would write it by hand for this tree;
# CTEs read more than once are materialised, and CROSS JOIN fixes the order of the edge hops
# (without statistics SQLite may otherwise scan every DEPLOYED_TO edge per binary).
BARE_SCORES = """
WITH ms AS (SELECT id, owner_id FROM entity WHERE type = 'ModelSource' AND created_at <= :as_of {only}),
produced AS MATERIALIZED (
    SELECT x.source_id AS ms_id, p.target_id AS id
    FROM edge x CROSS JOIN edge p ON p.source_id = x.target_id AND p.kind = 'PRODUCES'
    WHERE x.kind = 'EXECUTES' {only_x}),
binaries AS MATERIALIZED (
    SELECT produced.ms_id, b.id, b.key, b.created_at
    FROM produced JOIN entity b ON b.id = produced.id WHERE b.created_at <= :as_of),
fresh AS (SELECT ms_id, (:as_of - MAX(created_at)) / 86400000000.0 AS days FROM binaries GROUP BY ms_id),
latest AS (
    SELECT ms_id, id FROM (
        SELECT ms_id, id, ROW_NUMBER() OVER (PARTITION BY ms_id ORDER BY created_at DESC, key DESC) AS rn
        FROM binaries) WHERE rn = 1),
quality AS (
    SELECT ms_id, (SELECT value FROM metric_value v WHERE v.entity_id = latest.id AND v.metric_id = :accuracy
                   AND v.observed_at <= :as_of ORDER BY v.observed_at DESC LIMIT 1) AS value
    FROM latest),
deployments AS (
    SELECT DISTINCT produced.ms_id, d.target_id AS id
    FROM produced CROSS JOIN edge d ON d.source_id = produced.id AND d.kind = 'DEPLOYED_TO'
    JOIN entity e ON e.id = d.target_id
    WHERE e.created_at <= :as_of),
drift AS (
    SELECT ms_id,
        MIN(CASE WHEN psi < 0.1 THEN 1.0 WHEN psi < 0.25 THEN 0.5 WHEN psi IS NOT NULL THEN 0.0 END) AS score
    FROM (SELECT ms_id, (SELECT value FROM metric_value v WHERE v.entity_id = deployments.id
                         AND v.metric_id = :drift AND v.observed_at <= :as_of
                         ORDER BY v.observed_at DESC LIMIT 1) AS psi FROM deployments)
    GROUP BY ms_id),
leaves AS (
    SELECT ms.id, ms.owner_id,
        CASE WHEN f.days < 30 THEN 1.0 WHEN f.days < 90 THEN 0.5 WHEN f.days IS NOT NULL THEN 0.0
        END AS fresh,
        CASE WHEN q.value < 0.8 THEN 0.0 WHEN q.value < 0.9 THEN 0.5 WHEN q.value IS NOT NULL THEN 1.0
        END AS quality,
        d.score AS drift,
        CASE WHEN ms.owner_id IS NULL THEN 0.0 ELSE 1.0 END AS governance
    FROM ms LEFT JOIN fresh f ON f.ms_id = ms.id LEFT JOIN quality q ON q.ms_id = ms.id
    LEFT JOIN drift d ON d.ms_id = ms.id),
scores AS (
    SELECT id, owner_id,
        (2 * COALESCE(fresh, 0) + COALESCE(quality, 0) + COALESCE(drift, 0) + COALESCE(governance, 0))
        / NULLIF(2 * (fresh IS NOT NULL) + (quality IS NOT NULL) + (drift IS NOT NULL)
                 + (governance IS NOT NULL), 0) AS score
    FROM leaves),
labelled AS MATERIALIZED (
    SELECT owner_id, score,
        CASE WHEN score IS NULL THEN 'NO_DATA' WHEN score < 0.5 THEN 'POOR' WHEN score < 0.8 THEN 'FAIR'
             ELSE 'GOOD' END AS label
    FROM scores)
"""
BARE_ROLLUP = (
    "WITH RECURSIVE closure(root_id, team_id) AS (SELECT id, id FROM team UNION "
    "SELECT closure.root_id, team.id FROM closure JOIN team ON team.parent_id = closure.team_id), "
    + BARE_SCORES.strip().removeprefix("WITH ").format(only="", only_x="")
    + """
SELECT closure.root_id, label, COUNT(*), SUM(score), COUNT(score)
FROM closure JOIN labelled ON labelled.owner_id = closure.team_id GROUP BY closure.root_id, label
UNION ALL
SELECT NULL, label, COUNT(*), SUM(score), COUNT(score) FROM labelled GROUP BY label
"""
)
BARE_SCORECARD = BARE_SCORES.format(only="AND id = :entity", only_x="AND x.source_id = :entity") + (
    "SELECT leaves.fresh, leaves.quality, leaves.drift, leaves.governance, scores.score "
    "FROM leaves JOIN scores ON scores.id = leaves.id"
)


def run() -> None:
    asyncio.run(_bench())


async def _bench() -> None:
    with tempfile.TemporaryDirectory(prefix="aigraph-bench-metrics-") as folder:
        path = Path(folder) / "demo.db"
        engine = await open_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await install_builtins(engine)
            await ingest(engine, record_list(list(demo_records(MODELS))))
            bare = sqlite3.connect(path)
            parameters = _parameters(bare)
            key, entity = bare.execute(
                "SELECT key, id FROM entity WHERE type = 'ModelSource' ORDER BY key LIMIT 1 OFFSET ?",
                [MODELS // 2],
            ).fetchone()
            async with engine.connect() as connection:
                tree = await rollup(connection, "model_maturity", None, DEFAULT_NOW)
                _check_rollup(tree, bare.execute(BARE_ROLLUP, parameters).fetchall())
                card = await scorecard(connection, key, "model_maturity", DEFAULT_NOW)
                expected = bare.execute(BARE_SCORECARD, parameters | {"entity": entity}).fetchone()
                assert card is not None and _close(
                    [child.score for child in card.children] + [card.score], expected
                )
                rows = [
                    (
                        f"rollup of model_maturity, whole tree ({tree.entity_count} model sources)",
                        TARGET_RATIO,
                        *await _interleaved_p50(
                            lambda: rollup(connection, "model_maturity", None, DEFAULT_NOW),
                            lambda: bare.execute(BARE_ROLLUP, parameters).fetchall(),
                        ),
                    ),
                    (
                        f"scorecard of model_maturity ({key})",
                        None,
                        *await _interleaved_p50(
                            lambda: scorecard(connection, key, "model_maturity", DEFAULT_NOW),
                            lambda: bare.execute(BARE_SCORECARD, parameters | {"entity": entity}).fetchone(),
                        ),
                    ),
                ]
            bare.close()
        finally:
            await engine.dispose()
    _report(rows)


def _parameters(bare: sqlite3.Connection) -> dict[str, Any]:
    ids = dict(bare.execute("SELECT key, id FROM metric_definition WHERE key IN ('accuracy', 'drift_psi')"))
    return {"as_of": to_micros(DEFAULT_NOW), "accuracy": ids["accuracy"], "drift": ids["drift_psi"]}


def _close(actual: list[float | None], expected: tuple[Any, ...]) -> bool:
    return all(
        (a is None and e is None) or (a is not None and e is not None and abs(a - e) < 1e-9)
        for a, e in zip(actual, expected, strict=True)
    )


def _check_rollup(tree: RollupNode, bare_rows: list[tuple[Any, ...]]) -> None:
    """Every node's count, mean and buckets equal what the bare aggregate says."""
    counts: dict[int | None, dict[str, int]] = {}
    sums: dict[int | None, list[float]] = {}
    for team_id, label, count, total, scored in bare_rows:
        counts.setdefault(team_id, {})[label] = count
        running = sums.setdefault(team_id, [0.0, 0.0])
        running[0] += total or 0
        running[1] += scored
    pending = [tree]
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        by_label = counts.get(node.team_id, {})
        assert node.entity_count == sum(by_label.values()), node.team_key
        assert all(bucket.count == by_label.get(bucket.label, 0) for bucket in node.buckets), node.team_key
        total, scored = sums.get(node.team_id, [0.0, 0.0])
        assert _close([node.mean_score], (total / scored if scored else None,)), node.team_key


async def _interleaved_p50(
    ours: Callable[[], Awaitable[Any]], bare: Callable[[], Any]
) -> tuple[float, float]:
    """Median milliseconds of each, run in turn so that load on the machine hits both alike."""
    await ours()
    bare()
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        started = time.perf_counter()
        await ours()
        timings[0].append(time.perf_counter() - started)
        started = time.perf_counter()
        bare()
        timings[1].append(time.perf_counter() - started)
    return statistics.median(timings[0]) * 1000, statistics.median(timings[1]) * 1000


def _report(rows: list[tuple[str, float | None, float, float]]) -> None:
    table = Table(
        title=f"metrics on the {MODELS}-model demo graph: p50 of {REPEATS} (SQLite)",
        caption="target: PERFORMANCE.md's, where it sets one (none for a single scorecard)",
    )
    for heading in ("workload", "aigraph ms", "bare SQL ms", "ratio", "target"):
        table.add_column(heading)
    for label, target, ours, bare in rows:
        ratio = ours / bare
        verdict = "—" if target is None else f"<= {target:g}x: {'met' if ratio <= target else 'not met'}"
        table.add_row(label, f"{ours:.2f}", f"{bare:.2f}", f"{ratio:.2f}x", verdict)
    Console().print(table)


if __name__ == "__main__":
    run()
