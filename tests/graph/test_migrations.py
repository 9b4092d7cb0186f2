"""Migrations: base to head on an empty database gives exactly the tables the models describe."""

from __future__ import annotations

import warnings
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import alembic_config, head_revision
from graph.migrations.env_filters import include_name
from graph.models import Base


def _differences(connection: Connection) -> list[Any]:
    # The search index's expression indexes cannot be reflected; they are left out on purpose.
    warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_upgraded_schema_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert version == "0004"


def test_head_revision_read_from_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
