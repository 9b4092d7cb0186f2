"""Alembic environment: runs on the connection aigraph hands it, SQLite and PostgreSQL alike."""

from alembic import context

from graph.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
context.run_migrations()
