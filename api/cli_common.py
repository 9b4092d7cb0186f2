"""What every `aigraph` command shares: the --database option and opening the store around its work."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.store import open_store
from graph.db import database_url

Result = TypeVar("Result")
THREAD_WAIT_SECONDS = 5
# A command builds a batch of tens of thousands of records that live until it ends; collected every
# 700 allocations (the default), the youngest generation kept rescanning them: 0.35 s of the
# 0.8 s a 1000-model file took to validate.
COMMAND_GC_THRESHOLD = 50_000

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
        with _batch_collection():
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


@contextmanager
def _batch_collection() -> Iterator[None]:
    """Garbage collection for a command's batch work: what imports built is frozen (never scanned
    again) and young objects are collected less often; the defaults are back once the work is done
    (`serve` goes on to run the server in this process)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(COMMAND_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


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
