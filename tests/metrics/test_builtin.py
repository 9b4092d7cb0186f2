"""The derived metrics and the default framework are installed on start, once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest, record_list
from graph.models import metric_definition_table, metric_framework_table
from metrics.builtin import install_builtins


async def test_builtins_install_derived_definitions_and_default_framework(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(select(metric_definition_table.c.key, metric_definition_table.c.derived))
        ).all()
        frameworks = (await connection.execute(select(metric_framework_table.c.key))).scalars().all()
    assert {tuple(row) for row in rows} == {
        ("retraining_recency_days", True),
        ("deployed_binary_age_days", True),
        ("has_owner", True),
        ("accuracy", False),
        ("drift_psi", False),
    }
    assert frameworks == ["model_maturity"]


async def test_user_changes_to_the_default_framework_survive_a_restart(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await ingest(engine, record_list([{"type": "MetricFramework", "key": "model_maturity", "name": "Ours"}]))
    await install_builtins(engine)
    async with engine.connect() as connection:
        name = (await connection.execute(select(metric_framework_table.c.name))).scalar_one()
    assert name == "Ours"
