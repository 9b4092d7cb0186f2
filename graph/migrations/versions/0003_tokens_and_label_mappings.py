"""tokens and label mappings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import graph.timestamps

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", graph.timestamps.Timestamp(), nullable=False),
        sa.Column("revoked_at", graph.timestamps.Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    op.create_table(
        "label_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", graph.timestamps.Timestamp(), nullable=False),
        sa.Column("updated_at", graph.timestamps.Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_mapping")),
        sa.UniqueConstraint("name", name=op.f("uq_label_mapping_name")),
    )


def downgrade() -> None:
    op.drop_table("label_mapping")
    op.drop_table("api_token")
