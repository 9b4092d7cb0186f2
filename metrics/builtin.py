"""What ships with aigraph: the derived metric definitions, and the default framework with its metrics.

Derived definitions are code: they are brought up to date on every start. The default framework
and the two metrics it uses are installed once, so a user's later changes to them are kept.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.defaults import DEFAULT_DEFINITIONS, DERIVED_DEFINITIONS, MODEL_MATURITY
from graph.ingest import ingest, record_list
from graph.models import metric_definition_table, metric_framework_table


async def install_builtins(engine: AsyncEngine) -> None:
    """Make the derived definitions current, and add the default framework where it is missing."""
    await ingest(engine, record_list(DERIVED_DEFINITIONS), derived=True)
    async with engine.connect() as connection:
        definitions = set((await connection.execute(select(metric_definition_table.c.key))).scalars())
        frameworks = set((await connection.execute(select(metric_framework_table.c.key))).scalars())
    missing = [record for record in DEFAULT_DEFINITIONS if record["key"] not in definitions]
    if MODEL_MATURITY["key"] not in frameworks:
        missing.append(MODEL_MATURITY)
    if missing:
        await ingest(engine, record_list(missing))
