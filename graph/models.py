"""The tables of the metadata graph: teams, the seven entity types, one edge table, metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from graph.timestamps import Timestamp

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: Timestamp(), dict[str, Any]: Json, str: Text()}


class Team(Base):
    """A node of the org > group > team hierarchy; entities are owned by teams."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    parent: Mapped[Team | None] = relationship(remote_side=[id], lazy="raise")


class Entity(Base):
    """One row per lineage entity, whatever its type (single-table inheritance).

    One table keeps keys unique across the seven types with a plain unique index and lets a
    lineage walk load every entity it reaches with one statement.
    """

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    system: Mapped[str | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)

    owner: Mapped[Team | None] = relationship(lazy="raise")

    __mapper_args__ = {"polymorphic_on": "type"}
    __table_args__ = (
        Index("ix_entity_type_key", "type", "key"),
        Index("ix_entity_type_name_key", "type", "name", "key"),
        Index("ix_entity_type_created_at_key", "type", "created_at", "key"),
        Index("ix_entity_type_updated_at_key", "type", "updated_at", "key"),
    )


class FeatureSource(Entity):
    """Origin of raw data for features: a table, a stream, a log."""

    kind: Mapped[str | None] = mapped_column(String(16), use_existing_column=True)
    uri: Mapped[str | None] = mapped_column(use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "FeatureSource"}


class LogicalFeature(Entity):
    """Logic that turns raw data into a feature."""

    description: Mapped[str | None] = mapped_column(use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "LogicalFeature"}


class TrainingDataset(Entity):
    """Features materialised for training."""

    row_count: Mapped[int | None] = mapped_column(BigInteger, use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "TrainingDataset"}


class ModelSource(Entity):
    """Model source code written for a purpose."""

    purpose: Mapped[str | None] = mapped_column(use_existing_column=True)
    repository: Mapped[str | None] = mapped_column(use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "ModelSource"}


class WorkflowRun(Entity):
    """A pipeline execution that trains binaries."""

    status: Mapped[str | None] = mapped_column(String(16), use_existing_column=True)
    started_at: Mapped[datetime | None] = mapped_column(use_existing_column=True)
    finished_at: Mapped[datetime | None] = mapped_column(use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "WorkflowRun"}


class ModelBinary(Entity):
    """A trained artifact."""

    version: Mapped[str | None] = mapped_column(use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "ModelBinary"}


class ModelDeployment(Entity):
    """A place where binaries serve inference."""

    environment: Mapped[str | None] = mapped_column(use_existing_column=True)
    region: Mapped[str | None] = mapped_column(use_existing_column=True)
    status: Mapped[str | None] = mapped_column(String(16), use_existing_column=True)
    started_at: Mapped[datetime | None] = mapped_column(use_existing_column=True)
    __mapper_args__ = {"polymorphic_identity": "ModelDeployment"}


class Edge(Base):
    """Every edge of the graph, pointing the way data flows (upstream source -> downstream target).

    The primary key serves downstream walks (source, kind, target); the second index serves
    upstream walks (target, kind, source), so traversal is an index range scan either way.
    """

    __tablename__ = "edge"

    source_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    traffic_percent: Mapped[float | None] = mapped_column(Float)
    role: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_edge_target_kind_source", "target_id", "kind", "source_id"),)


class MetricDefinition(Base):
    """A bucketed metric: every value, whatever its unit, maps to a label and a score in [0, 1]."""

    __tablename__ = "metric_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str] = mapped_column(String(16))
    entity_type: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None]
    higher_is_better: Mapped[bool | None] = mapped_column(Boolean)
    buckets: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    derived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MetricValue(Base):
    """One observation of a metric on an entity; the history is kept, the latest one wins."""

    __tablename__ = "metric_value"

    metric_id: Mapped[int] = mapped_column(
        ForeignKey("metric_definition.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(primary_key=True)
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_metric_value_entity_metric_observed", "entity_id", "metric_id", "observed_at"),
    )


class MetricFramework(Base):
    """A tree of weighted metrics for one entity type, stored as its validated JSON document."""

    __tablename__ = "metric_framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    entity_type: Mapped[str] = mapped_column(String(32))
    buckets: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    root: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


# Core tables, for the set-based reads and bulk writes that do not go through the ORM.
team_table = _table(Team)
entity_table = _table(Entity)
edge_table = _table(Edge)
metric_definition_table = _table(MetricDefinition)
metric_value_table = _table(MetricValue)
metric_framework_table = _table(MetricFramework)


class ApiToken(Base):
    """A bearer token for the HTTP API; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    scope: Mapped[str] = mapped_column(String(8))
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LabelMapping(Base):
    """A stored label mapping: how one tool's record types and field names map onto canonical ones."""

    __tablename__ = "label_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


api_token_table = _table(ApiToken)
label_mapping_table = _table(LabelMapping)
