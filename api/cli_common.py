"""What every `aigraph` command shares: the --database option and opening the store around its work."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store import open_store
from graph.db import database_url

Result = TypeVar("Result")
THREAD_WAIT_SECONDS = 5

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
        before = set(threading.enumerate())
        try:
            engine = await open_store(database_url(database))
        except OperationalError:
            await _threads_ended(set(threading.enumerate()) - before)
            raise
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


async def _threads_ended(threads: set[threading.Thread]) -> None:
    """Wait, with the event loop running, for the threads a failed open started.

    aiosqlite stops the worker thread of a connection that failed to open without waiting for it,
    and that thread reports back to the event loop: once `asyncio.run` has closed the loop, it
    fails and prints its traceback under the command's one-line error.
    """
    for thread in threads:
        await asyncio.to_thread(thread.join, THREAD_WAIT_SECONDS)


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
