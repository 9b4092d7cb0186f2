"""Filter inputs of entity lists: the common conditions and each type's own, turned into graph filters."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from api.types.enums import DeploymentStatus, FeatureSourceKind, WorkflowRunStatus
from graph import queries


def _present(*pairs: tuple[str, str | Enum | None]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (column, value.value if isinstance(value, Enum) else value)
        for column, value in pairs
        if value is not None
    )


@strawberry.input(description="Conditions every listed entity must meet (all of them).")
class EntityFilter:
    name_contains: str | None = strawberry.field(
        default=None, description="Name contains this text, ignoring case."
    )
    owner: str | None = strawberry.field(
        default=None,
        description="Owned by this team key or any team under it; an unknown key matches nothing.",
    )
    system: str | None = strawberry.field(default=None, description="Reported by this system.")
    created_after: datetime | None = strawberry.field(
        default=None, description="Created strictly after this time."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created strictly before this time."
    )

    def attributes(self) -> tuple[tuple[str, str], ...]:
        """The type-specific equality conditions, as (column, stored value)."""
        return ()

    def to_graph(self) -> queries.EntityFilter:
        return queries.EntityFilter(
            name_contains=self.name_contains,
            owner=self.owner,
            system=self.system,
            created_after=self.created_after,
            created_before=self.created_before,
            attributes=self.attributes(),
        )


@strawberry.input(description="Conditions on feature sources.")
class FeatureSourceFilter(EntityFilter):
    kind: FeatureSourceKind | None = strawberry.field(default=None, description="Of this kind.")

    def attributes(self) -> tuple[tuple[str, str], ...]:
        return _present(("kind", self.kind))


@strawberry.input(description="Conditions on logical features.")
class LogicalFeatureFilter(EntityFilter):
    pass


@strawberry.input(description="Conditions on training datasets.")
class TrainingDatasetFilter(EntityFilter):
    pass


@strawberry.input(description="Conditions on model sources.")
class ModelSourceFilter(EntityFilter):
    purpose: str | None = strawberry.field(default=None, description="Written for this purpose.")
    repository: str | None = strawberry.field(default=None, description="Kept in this repository.")

    def attributes(self) -> tuple[tuple[str, str], ...]:
        return _present(("purpose", self.purpose), ("repository", self.repository))


@strawberry.input(description="Conditions on workflow runs.")
class WorkflowRunFilter(EntityFilter):
    status: WorkflowRunStatus | None = strawberry.field(default=None, description="In this status.")

    def attributes(self) -> tuple[tuple[str, str], ...]:
        return _present(("status", self.status))


@strawberry.input(description="Conditions on model binaries.")
class ModelBinaryFilter(EntityFilter):
    version: str | None = strawberry.field(default=None, description="Of this version.")

    def attributes(self) -> tuple[tuple[str, str], ...]:
        return _present(("version", self.version))


@strawberry.input(description="Conditions on model deployments.")
class ModelDeploymentFilter(EntityFilter):
    environment: str | None = strawberry.field(default=None, description="In this environment (e.g. prod).")
    region: str | None = strawberry.field(default=None, description="In this region.")
    status: DeploymentStatus | None = strawberry.field(default=None, description="In this status.")

    def attributes(self) -> tuple[tuple[str, str], ...]:
        return _present(("environment", self.environment), ("region", self.region), ("status", self.status))


def graph_filter(where: EntityFilter | None) -> queries.EntityFilter:
    return queries.NO_FILTER if where is None else where.to_graph()


FILTER_ARGUMENT = strawberry.argument(description="Only entities meeting these conditions.")
AnyFilter = Annotated[EntityFilter | None, FILTER_ARGUMENT]
FeatureSourceWhere = Annotated[FeatureSourceFilter | None, FILTER_ARGUMENT]
LogicalFeatureWhere = Annotated[LogicalFeatureFilter | None, FILTER_ARGUMENT]
TrainingDatasetWhere = Annotated[TrainingDatasetFilter | None, FILTER_ARGUMENT]
ModelSourceWhere = Annotated[ModelSourceFilter | None, FILTER_ARGUMENT]
WorkflowRunWhere = Annotated[WorkflowRunFilter | None, FILTER_ARGUMENT]
ModelBinaryWhere = Annotated[ModelBinaryFilter | None, FILTER_ARGUMENT]
ModelDeploymentWhere = Annotated[ModelDeploymentFilter | None, FILTER_ARGUMENT]
