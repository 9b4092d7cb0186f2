"""The model side of the graph: ModelSource, WorkflowRun, ModelBinary and ModelDeployment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row

from api.context import Info
from api.loaders import RelatedEntityLoader
from api.pagination import After, Before, First, Last, OrderBy, page_request
from api.types.connections import Connection, TrafficConnection, traffic_connection
from api.types.described import resolver
from api.types.entities import ENTITY_CLASSES, Entity, build_entity, common_fields, related
from api.types.enums import DeploymentStatus, WorkflowRunStatus
from api.types.features import FeatureSource, TrainingDataset
from api.types.filters import (
    FeatureSourceWhere,
    ModelBinaryWhere,
    ModelDeploymentWhere,
    TrainingDatasetWhere,
    WorkflowRunWhere,
    graph_filter,
)
from graph.pages import Order


async def _single(loader: RelatedEntityLoader, parent: Entity) -> Any:
    row = await loader.load(parent.row_id)
    return None if row is None else build_entity(row)


@strawberry.type(description="Model source code written for a purpose.")
class ModelSource(Entity):
    purpose: str | None = strawberry.field(description="What the model is for (e.g. ranking).")
    repository: str | None = strawberry.field(description="Where the code lives.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> ModelSource:
        values = row._mapping
        return cls(**common_fields(row), purpose=values["purpose"], repository=values["repository"])

    @resolver(description="Workflow runs that executed this source (EXECUTES, downstream).")
    async def runs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: WorkflowRunWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[WorkflowRun]:
        loader = info.context.loaders.runs_by_model_source_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="Binaries produced by the runs of this source.")
    async def binaries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelBinaryWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[ModelBinary]:
        loader = info.context.loaders.binaries_by_model_source_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="Deployments serving any binary of this source, whatever the role.")
    async def deployments(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelDeploymentWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[ModelDeployment]:
        loader = info.context.loaders.deployments_by_model_source_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="The binary with the largest createdAt (ties: the greatest key).")
    async def latest_binary(self, info: Info) -> ModelBinary | None:
        result: ModelBinary | None = await _single(
            info.context.loaders.latest_binary_by_model_source_id, self
        )
        return result


@strawberry.type(description="A pipeline execution that trains binaries.")
class WorkflowRun(Entity):
    status: WorkflowRunStatus | None = strawberry.field(description="Running, succeeded or failed.")
    started_at: datetime | None = strawberry.field(description="When the run started.")
    finished_at: datetime | None = strawberry.field(description="When the run finished.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> WorkflowRun:
        values = row._mapping
        status = values["status"]
        return cls(
            **common_fields(row),
            status=WorkflowRunStatus(status) if status else None,
            started_at=values["started_at"],
            finished_at=values["finished_at"],
        )

    @resolver(description="The model source this run executed (EXECUTES, upstream).")
    async def model_source(self, info: Info) -> ModelSource | None:
        result: ModelSource | None = await _single(info.context.loaders.model_source_by_run_id, self)
        return result

    @resolver(description="Training datasets this run trained on (TRAINS, upstream).")
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
        loader = info.context.loaders.datasets_by_run_id
        return await related(loader, self, filter, order_by, first, after, last, before)

    @resolver(description="Binaries this run produced (PRODUCES, downstream).")
    async def binaries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelBinaryWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[ModelBinary]:
        loader = info.context.loaders.binaries_by_run_id
        return await related(loader, self, filter, order_by, first, after, last, before)


@strawberry.type(description="A trained artifact.")
class ModelBinary(Entity):
    version: str | None = strawberry.field(description="Version label.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> ModelBinary:
        return cls(**common_fields(row), version=row._mapping["version"])

    @resolver(description="The workflow run that produced this binary (PRODUCES, upstream).")
    async def run(self, info: Info) -> WorkflowRun | None:
        result: WorkflowRun | None = await _single(info.context.loaders.run_by_binary_id, self)
        return result

    @resolver(description="The model source whose run produced this binary.")
    async def model_source(self, info: Info) -> ModelSource | None:
        result: ModelSource | None = await _single(info.context.loaders.model_source_by_binary_id, self)
        return result

    @resolver(description="Deployments serving this binary, with traffic and role (DEPLOYED_TO).")
    async def deployments(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelDeploymentWhere = None,
        order_by: OrderBy = None,
    ) -> TrafficConnection[ModelDeployment]:
        order = order_by.to_order() if order_by else Order()
        request = page_request(first, after, last, before, order)
        arguments = (graph_filter(filter), request)
        page = await info.context.loaders.deployments_by_binary_id.load(self.row_id, arguments)
        return traffic_connection(page, order, build_entity)


@strawberry.type(description="A place where binaries serve inference.")
class ModelDeployment(Entity):
    environment: str | None = strawberry.field(description="Environment, such as prod or staging.")
    region: str | None = strawberry.field(description="Region served.")
    status: DeploymentStatus | None = strawberry.field(description="Active, canary, rolled back or retired.")
    started_at: datetime | None = strawberry.field(description="When the deployment started serving.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> ModelDeployment:
        values = row._mapping
        status = values["status"]
        return cls(
            **common_fields(row),
            environment=values["environment"],
            region=values["region"],
            status=DeploymentStatus(status) if status else None,
            started_at=values["started_at"],
        )

    @resolver(description="Binaries this deployment serves, with traffic and role (DEPLOYED_TO).")
    async def binaries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelBinaryWhere = None,
        order_by: OrderBy = None,
    ) -> TrafficConnection[ModelBinary]:
        order = order_by.to_order() if order_by else Order()
        request = page_request(first, after, last, before, order)
        arguments = (graph_filter(filter), request)
        page = await info.context.loaders.binaries_by_deployment_id.load(self.row_id, arguments)
        return traffic_connection(page, order, build_entity)

    @resolver(description="Feature sources this deployment's logs became (LOGS, downstream).")
    async def logged_to(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FeatureSourceWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[FeatureSource]:
        loader = info.context.loaders.logged_sources_by_deployment_id
        return await related(loader, self, filter, order_by, first, after, last, before)


for entity_class in (ModelSource, WorkflowRun, ModelBinary, ModelDeployment):
    ENTITY_CLASSES[entity_class.__name__] = entity_class
