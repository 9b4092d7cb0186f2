"""Alembic environment: runs on the connection aigraph hands it, SQLite and PostgreSQL alike."""

from alembic import context

from graph.migrations.env_filters import include_name
from graph.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
context.run_migrations()
