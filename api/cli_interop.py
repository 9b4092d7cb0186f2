"""Command-line pieces for moving metadata in and out: `export [FILE]`, `mapping add FILE | list`,
and the `--mapping FILE` option of `ingest`. Each is a thin call into graph/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, TypeVar

import orjson
import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from api.cli_common import DatabaseOption, run
from graph.export import write_jsonl
from graph.mappings import MappingError, ToolMapping, add_mapping, list_mappings, load_mapping_file, mapped
from graph.sources import BatchSource
from graph.timestamps import iso

Result = TypeVar("Result")

mapping_app = typer.Typer(help="Label mappings: how a tool's own record types map onto aigraph's.")

MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        exists=True,
        dir_okay=False,
        readable=True,
        help="A label mapping file (JSON): the files hold a tool's own records, translated on the way in.",
    ),
]
MappingFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A label mapping file (JSON).")
]


def read_mapping_option(path: Path | None) -> ToolMapping | None:
    """The mapping of `--mapping FILE`, read before any batch; an invalid file ends the command (exit 1)."""
    if path is None:
        return None
    try:
        return load_mapping_file(path)
    except (MappingError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def with_mapping(source: BatchSource, mapping: ToolMapping | None) -> BatchSource:
    """The batch as ingest should see it: translated when a mapping is given."""
    return source if mapping is None else mapped(source, mapping)


def export_command(
    file: Annotated[
        Path | None,
        typer.Argument(dir_okay=False, help="Where to write the JSON Lines [default: standard output]."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Write the whole graph as interchange JSON Lines; ingesting it into an empty database gives it back."""

    async def export(engine: AsyncEngine) -> int:
        if file is None:
            try:
                return await write_jsonl(engine, sys.stdout.buffer)
            except BrokenPipeError:
                # The reader stopped early (`aigraph export | head`): not an error worth a traceback.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 0
        # Written beside the target and moved into place, so a failed export leaves no partial file.
        partial = file.with_name(f".{file.name}.partial")
        try:
            with partial.open("wb") as stream:
                count = await write_jsonl(engine, stream)
            os.replace(partial, file)
        finally:
            partial.unlink(missing_ok=True)
        return count

    if file is not None and not file.parent.is_dir():
        typer.echo(f"error: {file}: no directory {file.parent}", err=True)
        raise typer.Exit(1)
    count = run(database, export)
    if file is not None:
        typer.echo(f"{count} records written to {file}", err=True)


@mapping_app.command("add")
def mapping_add_command(file: MappingFile, database: DatabaseOption = None) -> None:
    """Store a label mapping under its name, replacing the one of that name (`POST /ingest?mapping=NAME`)."""
    try:
        document = orjson.loads(file.read_bytes())
    except orjson.JSONDecodeError as error:
        typer.echo(f"error: {file}: invalid JSON: {error}", err=True)
        raise typer.Exit(1) from None

    async def add(engine: AsyncEngine) -> tuple[ToolMapping, str]:
        return await add_mapping(engine, document)

    try:
        mapping, outcome = run(database, add)
    except MappingError as error:
        typer.echo(f"error: {file}: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"mapping {mapping.name} {outcome}")


@mapping_app.command("list")
def mapping_list_command(database: DatabaseOption = None) -> None:
    """List the stored label mappings, one a line: name, settings, then what each tool type becomes."""
    stored = run(database, list_mappings)
    if not stored:
        typer.echo("No label mappings are stored.")
        return
    for entry in stored:
        mapping = entry.mapping
        updated = iso(entry.updated_at)
        settings = f"system {mapping.system or '-'}, type field {mapping.type_field}, updated {updated}"
        targets = [f"{tool} → {target.type}" for tool, target in mapping.types.items()]
        targets += [f"datasets {prefix}* → {target}" for prefix, target in mapping.datasets.items()]
        typer.echo(f"{mapping.name} ({settings}): {', '.join(targets)}")
