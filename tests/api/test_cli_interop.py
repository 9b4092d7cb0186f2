"""`export`, `mapping add | list` and `--mapping FILE` on SQLite and PostgreSQL, through typer's runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from api.cli_interop import export_command, mapping_app, read_mapping_option, with_mapping
from graph.db import open_engine
from graph.ingest import ingest, jsonl_file, record_list
from graph.mappings import get_mapping
from tests.graph.factories import EXAMPLE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
app = typer.Typer()
app.add_typer(mapping_app, name="mapping")
app.command("export")(export_command)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"AIGRAPH_DATABASE_URL": None})


@pytest.fixture
def url(database_url: str) -> str:
    return database_url


async def _load(url: str) -> None:
    engine = await open_engine(url)
    try:
        await ingest(engine, record_list(EXAMPLE))
    finally:
        await engine.dispose()


def test_export_writes_json_lines_to_standard_output(runner: CliRunner, url: str) -> None:
    asyncio.run(_load(url))
    result = runner.invoke(app, ["export", "--database", url])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {
        "type": "Team",
        "key": "org/meta",
        "name": "Meta",
        "created_at": records[0]["created_at"],
    }
    exported = {(record["type"], record.get("key") or record["entity"]) for record in records}
    # The example graph, plus the built-in definitions and framework every command installs.
    assert exported == {(record["type"], record.get("key") or record["entity"]) for record in EXAMPLE} | {
        ("MetricDefinition", "drift_psi"),
        ("MetricFramework", "model_maturity"),
    }


def test_export_to_a_file_matches_standard_output(runner: CliRunner, url: str, tmp_path: Path) -> None:
    asyncio.run(_load(url))
    target = tmp_path / "graph.jsonl"
    result = runner.invoke(app, ["export", str(target), "--database", url])
    assert result.exit_code == 0, result.output
    on_stdout = runner.invoke(app, ["export", "--database", url]).stdout_bytes
    assert target.read_bytes() == on_stdout
    assert result.stderr == f"{len(on_stdout.splitlines())} records written to {target}\n"
    assert not (tmp_path / ".graph.jsonl.partial").exists()


def test_mapping_add_then_list(runner: CliRunner, url: str) -> None:
    mapping = EXAMPLES / "mappings" / "trainer-x.json"
    added = runner.invoke(app, ["mapping", "add", str(mapping), "--database", url])
    assert added.exit_code == 0 and added.stdout == "mapping trainer-x created\n"
    again = runner.invoke(app, ["mapping", "add", str(mapping), "--database", url])
    assert again.stdout == "mapping trainer-x unchanged\n"
    listed = runner.invoke(app, ["mapping", "list", "--database", url])
    assert listed.exit_code == 0
    assert "trainer-x" in listed.stdout and "Snapshot → ModelBinary" in listed.stdout

    async def stored() -> str | None:
        engine = await open_engine(url)
        try:
            found = await get_mapping(engine, "trainer-x")
            return None if found is None else found.type_field
        finally:
            await engine.dispose()

    assert asyncio.run(stored()) == "kind"


def test_mapping_list_says_when_there_is_none(runner: CliRunner, url: str) -> None:
    assert (
        runner.invoke(app, ["mapping", "list", "--database", url]).stdout == "No label mappings are stored.\n"
    )


def test_invalid_mapping_file_is_refused_with_the_reason(runner: CliRunner, url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "types": {"A": {"type": "Model"}}}')
    result = runner.invoke(app, ["mapping", "add", str(bad), "--database", url])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: field 'types.A.type' must be one of Team, FeatureSource")
    with pytest.raises(typer.Exit):
        read_mapping_option(bad)


def test_mapping_option_translates_the_files() -> None:
    mapping = read_mapping_option(EXAMPLES / "mappings" / "serving-y.json")
    assert mapping is not None and read_mapping_option(None) is None
    records = [payload for _, payload in with_mapping(jsonl_file(EXAMPLES / "serving-y.jsonl"), mapping)]
    assert [(record["type"], record["system"]) for record in records if isinstance(record, dict)] == [
        ("ModelBinary", "serving-y"),
        ("ModelDeployment", "serving-y"),
    ]
