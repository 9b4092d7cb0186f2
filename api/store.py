"""Opening the store the way every command and server does: migrate, then install the built-ins."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import open_engine
from metrics.builtin import install_builtins


async def open_store(url: str | None = None) -> AsyncEngine:
    """An engine on an up-to-date schema holding the derived metrics and the default framework."""
    engine = await open_engine(url)
    try:
        await install_builtins(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine
