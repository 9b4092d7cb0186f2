"""What every `aigraph` command shares: the --database option and opening the store around its work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store import open_store
from graph.db import database_url

Result = TypeVar("Result")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="SQLAlchemy URL of the database (default: AIGRAPH_DATABASE_URL, else sqlite+aiosqlite:///./aigraph.db).",
        show_default=False,
    ),
]


class CommandFailed(Exception):
    """A failure to report as `error: ...` on stderr with exit status 1."""


def run(database: str | None, work: Callable[[AsyncEngine], Awaitable[Result]]) -> Result:
    """Open the database as every command does (schema upgraded, built-ins installed) and run `work`.

    Failures the user can act on are printed as one `error:` line, with exit status 1.
    """

    async def opened() -> Result:
        engine = await open_store(database_url(database))
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(opened())
    except CommandFailed as failure:
        typer.echo(f"error: {failure}", err=True)
    except (ArgumentError, OperationalError) as failure:
        # The driver's own message, without SQLAlchemy's statement and help link around it.
        reason = getattr(failure, "orig", None) or failure
        typer.echo(f"error: database {shown(database_url(database))}: {reason}", err=True)
    except OSError as failure:
        typer.echo(f"error: {failure}", err=True)
    raise typer.Exit(1)


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
