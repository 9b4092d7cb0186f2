"""The data side of the graph: FeatureSource, LogicalFeature and TrainingDataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row

from api.context import Info
from api.pagination import After, Before, First, Last, OrderBy
from api.types.connections import Connection
from api.types.described import resolver
from api.types.entities import ENTITY_CLASSES, Entity, common_fields, related
from api.types.enums import FeatureSourceKind
from api.types.filters import (
    FeatureSourceWhere,
    LogicalFeatureWhere,
    ModelDeploymentWhere,
    TrainingDatasetWhere,
    WorkflowRunWhere,
)

if TYPE_CHECKING:
    from api.types.models import ModelDeployment, WorkflowRun

LazyDeployment = Annotated["ModelDeployment", strawberry.lazy("api.types.models")]
LazyRun = Annotated["WorkflowRun", strawberry.lazy("api.types.models")]


@strawberry.type(description="Origin of raw data for features: a table, a stream, a log.")
class FeatureSource(Entity):
    kind: FeatureSourceKind | None = strawberry.field(description="What the source is.")
    uri: str | None = strawberry.field(description="Where the data lives.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> FeatureSource:
        kind = row._mapping["kind"]
        return cls(
            **common_fields(row), kind=FeatureSourceKind(kind) if kind else None, uri=row._mapping["uri"]
        )

    @resolver(description="Logical features computed from this source (FEEDS, downstream).")
    async def features(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: LogicalFeatureWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[LogicalFeature]:
        loader = info.context.loaders.features_by_source_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="Deployments whose inference logs became this source (LOGS, upstream).")
    async def logged_from(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelDeploymentWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[LazyDeployment]:
        loader = info.context.loaders.deployments_by_logged_source_id
        return await related(loader, self, filter, order_by, first, after, last, before)


@strawberry.type(description="Logic that turns raw data into a feature.")
class LogicalFeature(Entity):
    description: str | None = strawberry.field(description="What the feature computes.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> LogicalFeature:
        return cls(**common_fields(row), description=row._mapping["description"])

    @resolver(description="Feature sources this feature is computed from (FEEDS, upstream).")
    async def sources(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FeatureSourceWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[FeatureSource]:
        loader = info.context.loaders.sources_by_feature_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="Training datasets this feature is materialised in (COMPOSES, downstream).")
    async def datasets(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: TrainingDatasetWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[TrainingDataset]:
        loader = info.context.loaders.datasets_by_feature_id
        return await related(loader, self, filter, order_by, first, after, last, before)


@strawberry.type(description="Features materialised for training.")
class TrainingDataset(Entity):
    row_count: int | None = strawberry.field(description="Number of rows.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> TrainingDataset:
        return cls(**common_fields(row), row_count=row._mapping["row_count"])

    @resolver(description="Logical features this dataset is composed of (COMPOSES, upstream).")
    async def features(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: LogicalFeatureWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[LogicalFeature]:
        loader = info.context.loaders.features_by_dataset_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="Workflow runs that trained on this dataset (TRAINS, downstream).")
    async def runs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: WorkflowRunWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[LazyRun]:
        loader = info.context.loaders.runs_by_dataset_id
        return await related(loader, self, filter, order_by, first, after, last, before)


for entity_class in (FeatureSource, LogicalFeature, TrainingDataset):
    ENTITY_CLASSES[entity_class.__name__] = entity_class
