"""The `aigraph` command line: ingest, demo, db upgrade and serve, each a thin call into graph/.

Every command opens the database, upgrades its schema and brings aigraph's built-in metric
definitions and default framework up to date before doing its own work. `export` and
`mapping` come from `api.cli_interop`.
"""

from __future__ import annotations

import atexit
import gc
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from api.cli_admin import export_schema_command, token_app
from api.cli_common import CommandFailed, DatabaseOption, run, shown
from api.cli_interop import MappingOption, export_command, mapping_app, read_mapping_option, with_mapping
from graph import timestamps
from graph.db import database_url
from graph.demo import graph_is_empty, write_demo_jsonl
from graph.ingest import RECORD_TYPES, IngestRejected, IngestSummary, ingest, jsonl_file
from graph.sources import BatchSource

Result = TypeVar("Result")

app = typer.Typer(
    help="aigraph: a GraphQL API over an AI metadata graph.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def main() -> None:
    # On its way out CPython collects garbage several times over, each time across every object
    # the command leaves behind: 0.3 s after an ingest of the 1000-model demo (measured), for
    # memory the process is about to give back. Frozen, those objects are left to the exit (atexit
    # runs its handlers before those collections; files and connections are closed by then).
    atexit.register(gc.freeze)
    app()


@app.command("ingest")
def ingest_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="JSON Lines files, one batch each.",
        ),
    ],
    mapping: MappingOption = None,
    database: DatabaseOption = None,
) -> None:
    """Ingest JSON Lines files in order, each one all-or-nothing batch; stop at the first rejected one."""
    tool_mapping = read_mapping_option(mapping)

    async def ingest_files(engine: AsyncEngine) -> None:
        for path in files:
            source = with_mapping(jsonl_file(path), tool_mapping)
            try:
                summary = await _ingest_with_progress(engine, source, path.name, _count_lines(path))
            except IngestRejected as rejected:
                # Earlier files stay committed: each file is its own batch.
                raise CommandFailed(f"{path}: {rejected}") from None
            except OSError as unreadable:
                raise CommandFailed(f"{path}: {unreadable.strerror or unreadable}") from None
            _print_summary(str(path), summary)

    run(database, ingest_files)


@app.command("demo")
def demo_command(
    models: Annotated[int, typer.Option("--models", min=1, help="How many model sources to generate.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same graph.")] = 7,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database already holds entities.")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="ISO 8601 moment the demo's ages are measured from (default: today, 00:00 UTC).",
            show_default=False,
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Load a realistic synthetic graph (teams, lineage, metrics, the model_maturity framework)."""
    # Today rather than a fixed date, so that fresh models still look fresh months from now; the
    # same seed on the same day gives the same graph.
    reference = _moment(now) if now else timestamps.now().replace(hour=0, minute=0, second=0, microsecond=0)

    async def load(engine: AsyncEngine) -> None:
        if if_empty and not await graph_is_empty(engine):
            stdout.print("The database already holds a graph; demo data not loaded.")
            return
        # Streamed through a file, as `aigraph ingest` reads one: held as a list for ingest's three
        # passes, the 10000-model demo's records took the process to 613 MB (379 MB so, 26 s either way).
        with tempfile.TemporaryDirectory(prefix="aigraph-demo-") as directory:
            path = Path(directory) / "demo.jsonl"
            counts = write_demo_jsonl(path, models, seed, reference)
            try:
                summary = await _ingest_with_progress(engine, jsonl_file(path), "demo", sum(counts.values()))
            except IngestRejected as rejected:
                raise CommandFailed(f"demo: {rejected}") from None
        _print_summary(f"demo ({models} models, seed {seed})", summary)

    run(database, load)


@db_app.command("upgrade")
def db_upgrade_command(database: DatabaseOption = None) -> None:
    """Bring the database schema to the newest migration (every command also does this on start)."""

    async def report(_engine: AsyncEngine) -> None:
        stdout.print(f"{escape(shown(database_url(database)))}: schema is up to date.")

    run(database, report)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    database: DatabaseOption = None,
) -> None:
    """Serve the GraphQL API (GraphiQL in the browser at /graphql)."""
    import uvicorn

    url = database_url(database)

    async def nothing(_engine: AsyncEngine) -> None:
        return None

    run(url, nothing)
    # Workers are separate processes that build the app themselves: they find the database here.
    os.environ["AIGRAPH_DATABASE_URL"] = url
    # The app logs each request itself, as a JSON line with its id (api/middleware.py).
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, access_log=False)


app.command("export")(export_command)
app.command("export-schema")(export_schema_command)
app.add_typer(token_app, name="token")
app.add_typer(mapping_app, name="mapping", no_args_is_help=True)


async def _ingest_with_progress(
    engine: AsyncEngine, source: BatchSource, label: str, total: Callable[[], int] | int
) -> IngestSummary:
    if not stderr.is_terminal:
        return await ingest(engine, source)
    with _progress_bar(label, total if isinstance(total, int) else total()) as advance:
        return await ingest(engine, source, progress=advance)


def _count_lines(path: Path) -> Callable[[], int]:
    # Counting reads the whole file once more, so it happens only when a bar will show it.
    return jsonl_file(path).count_lines


@contextmanager
def _progress_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(escape(label), total=total)
        yield lambda done: progress.update(task, completed=done)


def _print_summary(title: str, summary: IngestSummary) -> None:
    table = Table(title=escape(f"{title}: {summary.records} records"), title_justify="left")
    table.add_column("type")
    for column in ("created", "updated", "unchanged"):
        table.add_column(column, justify="right")
    for record_type in RECORD_TYPES:
        counts = summary.counts.get(record_type)
        if counts is not None:
            table.add_row(record_type, str(counts.created), str(counts.updated), str(counts.unchanged))
    table.add_section()
    table.add_row("total", str(summary.created), str(summary.updated), str(summary.unchanged))
    stdout.print(table)
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)


def _moment(text: str) -> datetime:
    try:
        return timestamps.parse_timestamp(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 timestamp: {text!r}", param_hint="--now") from None
