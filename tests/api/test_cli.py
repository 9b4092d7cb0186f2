"""The `aigraph` command line on real SQLite files: ingest, demo, db upgrade and database selection."""

from __future__ import annotations

import gc
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

import api.cli
from api.cli import app
from api.cli_common import COMMAND_GC_THRESHOLD, run
from graph.demo import demo_records, expected_counts, write_demo_jsonl
from graph.ingest import IngestSummary, ingest
from graph.sources import BatchSource, JsonlFile
from graph.vocabulary import ENTITY_TYPES

GRAPH = [
    {"type": "Team", "key": "org/meta", "name": "Meta"},
    {"type": "Team", "key": "team/ads", "name": "Ads", "parent": "org/meta"},
    {"type": "FeatureSource", "key": "fs/1", "name": "clicks", "owner": "team/ads", "kind": "TABLE"},
    {"type": "LogicalFeature", "key": "lf/1", "name": "ctr_7d", "owner": "team/ads", "sources": ["fs/1"]},
    {"type": "TrainingDataset", "key": "ds/1", "name": "ads_train", "features": ["lf/1"]},
    {"type": "ModelSource", "key": "ms/1", "name": "ads_ranker", "owner": "team/ads"},
    {"type": "WorkflowRun", "key": "run/1", "name": "train", "model_source": "ms/1", "datasets": ["ds/1"]},
    {"type": "ModelBinary", "key": "mb/1", "name": "ads_ranker_v1", "run": "run/1", "version": "1"},
]
MORE = [{"type": "ModelBinary", "key": "mb/2", "name": "ads_ranker_v2", "run": "run/1", "version": "2"}]
DANGLING = {"type": "ModelBinary", "key": "mb/9", "name": "orphan", "run": "run/404"}


@pytest.fixture
def runner() -> CliRunner:
    # Without AIGRAPH_DATABASE_URL, so that only what a test passes selects the database.
    return CliRunner(env={"AIGRAPH_DATABASE_URL": None})


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "graph.db"


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    return path


def entity_keys(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [key for (key,) in connection.execute("SELECT key FROM entity ORDER BY key")]


def test_ingest_prints_a_summary_and_exits_0(runner: CliRunner, database: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["ingest", str(jsonl(tmp_path / "a.jsonl", GRAPH)), "--database", url(database)]
    )
    assert result.exit_code == 0, result.output
    assert "8 records" in result.stdout
    assert "ModelBinary" in result.stdout and "created" in result.stdout
    assert len(entity_keys(database)) == 6


def test_reingest_reports_unchanged(runner: CliRunner, database: Path, tmp_path: Path) -> None:
    arguments = ["ingest", str(jsonl(tmp_path / "a.jsonl", GRAPH)), "--database", url(database)]
    runner.invoke(app, arguments)
    result = runner.invoke(app, arguments)
    total = next(line for line in result.stdout.splitlines() if "total" in line)
    assert re.findall(r"\d+", total) == ["0", "0", "8"]


def test_unknown_fields_are_listed_as_warnings(runner: CliRunner, database: Path, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", [*GRAPH, {**MORE[0], "colour": "blue"}])
    result = runner.invoke(app, ["ingest", str(path), "--database", url(database)])
    assert result.exit_code == 0
    assert "warning: line 9:" in result.stderr and "colour" in result.stderr


def test_rejected_file_exits_1_naming_the_line_and_writes_nothing(
    runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    path = jsonl(tmp_path / "bad.jsonl", [*GRAPH[:3], DANGLING, *GRAPH[3:]])
    result = runner.invoke(app, ["ingest", str(path), "--database", url(database)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: line 4: ")
    assert "run/404" in result.stderr
    assert entity_keys(database) == []


def test_files_are_batches_in_order_up_to_the_first_rejected(
    runner: CliRunner, database: Path, tmp_path: Path
) -> None:
    first = jsonl(tmp_path / "1.jsonl", GRAPH)
    rejected = jsonl(tmp_path / "2.jsonl", [DANGLING])
    never_read = jsonl(tmp_path / "3.jsonl", MORE)
    result = runner.invoke(
        app, ["ingest", str(first), str(rejected), str(never_read), "--database", url(database)]
    )
    assert result.exit_code == 1
    assert f"error: {rejected}: line 1:" in result.stderr
    assert "mb/1" in entity_keys(database) and "mb/2" not in entity_keys(database)


def test_installed_command_reports_rejection_on_stderr(database: Path, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "bad.jsonl", [DANGLING])
    command = Path(sys.executable).with_name("aigraph")
    finished = subprocess.run(
        [str(command), "ingest", str(path), "--database", url(database)], capture_output=True, text=True
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith(f"error: {path}: line 1: ")
    assert finished.stdout == ""


def test_the_command_leaves_what_it_built_to_the_exit_uncollected(database: Path, tmp_path: Path) -> None:
    # Registered before main, this handler runs after main's own (atexit runs them last in, first out).
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from api.cli import main\n"
        "sys.argv = ['aigraph', *sys.argv[1:]]\n"
        "main()\n"
    )
    path = jsonl(tmp_path / "graph.jsonl", GRAPH)
    finished = subprocess.run(
        [sys.executable, "-c", script, "ingest", str(path), "--database", url(database)],
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[-1] == "frozen at exit: True"
    assert "mb/1" in entity_keys(database)


def test_demo_if_empty_loads_only_once(runner: CliRunner, database: Path) -> None:
    arguments = ["demo", "--models", "5", "--if-empty", "--database", url(database)]
    first = runner.invoke(app, arguments)
    loaded = entity_keys(database)
    second = runner.invoke(app, [*arguments[:3], "--seed", "8", *arguments[3:]])
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "already holds a graph" in second.stdout
    assert loaded and entity_keys(database) == loaded


def test_demo_without_if_empty_loads_again(runner: CliRunner, database: Path) -> None:
    arguments = ["demo", "--models", "5", "--database", url(database)]
    runner.invoke(app, arguments)
    again = runner.invoke(app, arguments)
    assert again.exit_code == 0
    assert "already holds" not in again.stdout


def test_demo_streams_its_records_from_a_file_it_removes_afterwards(
    runner: CliRunner, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held as a list, the 10000-model demo's records took the process to 613 MB; streamed, 379."""
    sources: list[BatchSource] = []

    async def recording(engine: AsyncEngine, source: BatchSource, **options: Any) -> IngestSummary:
        sources.append(source)
        return await ingest(engine, source, **options)

    monkeypatch.setattr(api.cli, "ingest", recording)
    result = runner.invoke(app, ["demo", "--models", "5", "--database", url(database)])
    assert result.exit_code == 0, result.output
    [source] = sources
    assert isinstance(source, JsonlFile) and not source.path.exists()
    expected = expected_counts(demo_records(5))
    assert len(entity_keys(database)) == sum(expected[t] for t in expected if t in ENTITY_TYPES)


def test_db_upgrade_creates_the_schema_in_an_empty_file(runner: CliRunner, database: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--database", url(database)])
    assert result.exit_code == 0
    with sqlite3.connect(database) as connection:
        tables = {
            name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert {"alembic_version", "team", "entity", "edge", "metric_value"} <= tables


def test_environment_variable_selects_the_database(database: Path, tmp_path: Path) -> None:
    runner = CliRunner(env={"AIGRAPH_DATABASE_URL": url(database)})
    result = runner.invoke(app, ["ingest", str(jsonl(tmp_path / "a.jsonl", GRAPH))])
    assert result.exit_code == 0
    assert len(entity_keys(database)) == 6


def test_database_option_wins_over_the_environment(tmp_path: Path) -> None:
    chosen, ignored = tmp_path / "chosen.db", tmp_path / "ignored.db"
    runner = CliRunner(env={"AIGRAPH_DATABASE_URL": url(ignored)})
    result = runner.invoke(app, ["db", "upgrade", "--database", url(chosen)])
    assert result.exit_code == 0
    assert chosen.exists() and not ignored.exists()


def test_default_database_is_aigraph_db_in_the_working_directory(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (tmp_path / "aigraph.db").exists()


def test_demo_measures_ages_from_the_given_now(runner: CliRunner, database: Path) -> None:
    arguments = ["demo", "--models", "5", "--now", "2026-01-01T00:00:00Z", "--database", url(database)]
    assert runner.invoke(app, arguments).exit_code == 0
    with closing(sqlite3.connect(database)) as connection:
        (newest,) = connection.execute("SELECT max(created_at) FROM entity").fetchone()
    moment = datetime.fromtimestamp(newest / 1_000_000, UTC)
    assert datetime(2025, 6, 1, tzinfo=UTC) < moment <= datetime(2026, 1, 1, tzinfo=UTC)


def test_unopenable_database_exits_1_with_the_reason(runner: CliRunner, tmp_path: Path) -> None:
    missing = url(tmp_path / "no such folder" / "graph.db")
    result = runner.invoke(app, ["db", "upgrade", "--database", missing])
    assert result.exit_code == 1
    assert result.stderr == f"error: database {missing}: unable to open database file\n"


def test_demo_file_ingests_into_a_new_database(runner: CliRunner, database: Path, tmp_path: Path) -> None:
    # The file's framework names derived metrics: the command installs them before the batch.
    path = tmp_path / "demo.jsonl"
    counts = write_demo_jsonl(path, 10)
    result = runner.invoke(app, ["ingest", str(path), "--database", url(database)])
    assert result.exit_code == 0, result.output
    assert len(entity_keys(database)) == sum(counts[t] for t in counts if t in ENTITY_TYPES)


def test_a_command_collects_garbage_less_often_while_it_works(sqlite_url: str) -> None:
    before = gc.get_threshold()

    async def work(_engine: object) -> tuple[tuple[int, int, int], int]:
        return gc.get_threshold(), gc.get_freeze_count()

    during, frozen = run(sqlite_url, work)
    assert during == (COMMAND_GC_THRESHOLD, *before[1:])
    assert frozen > 0  # what imports built is never scanned again
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
