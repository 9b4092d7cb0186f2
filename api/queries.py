"""Root query fields of the core API: Relay node lookups, entity by key, one connection per type."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from api.context import Info
from api.ids import parse_global_id
from api.pagination import After, Before, EntityOrder, First, Last, OrderBy, page_request
from api.types.connections import Connection, connection
from api.types.described import resolver
from api.types.entities import Entity, Node, Team, build_entity
from api.types.features import FeatureSource, LogicalFeature, TrainingDataset
from api.types.filters import (
    EntityFilter,
    FeatureSourceWhere,
    LogicalFeatureWhere,
    ModelBinaryWhere,
    ModelDeploymentWhere,
    ModelSourceWhere,
    TrainingDatasetWhere,
    WorkflowRunWhere,
    graph_filter,
)
from api.types.models import ModelBinary, ModelDeployment, ModelSource, WorkflowRun
from graph import queries
from graph.pages import Order


async def _node(info: Info, value: str) -> Node | None:
    parsed = parse_global_id(value)
    if parsed is None:
        return None
    type_name, key = parsed
    if type_name == "Team":
        team = await info.context.loaders.team_by_key.load(key)
        return None if team is None else Team.from_row(team)
    row = await info.context.loaders.entity_by_key.load(key)
    if row is None or row._mapping["type"] != type_name:
        return None
    return build_entity(row)


async def _entities(
    info: Info,
    entity_type: str,
    where: EntityFilter | None,
    order_by: EntityOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    order = order_by.to_order() if order_by else Order()
    request = page_request(first, after, last, before, order)
    graph_where = graph_filter(where)
    engine = info.context.engine
    async with engine.connect() as connection_:
        page = await queries.entity_page(connection_, entity_type, graph_where, request)

    async def count() -> int:
        async with engine.connect() as counting:
            return await queries.entity_count(counting, entity_type, graph_where)

    return connection(page, order, build_entity, counter=count)


NodeId = Annotated[strawberry.ID, strawberry.argument(description="A global id, as returned by `id` fields.")]
Key = Annotated[str, strawberry.argument(description="The entity key.")]


@strawberry.type(description="Reads of the graph.")
class CoreQuery:
    @resolver(description="The object with this global id, or null.")
    async def node(self, info: Info, id: NodeId) -> Node | None:
        return await _node(info, id)

    @resolver(description="The objects with these global ids, in order; null where none exists.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids.")],
    ) -> list[Node | None]:
        # Gathered, so that every lookup lands in the same loader batch.
        return list(await asyncio.gather(*(_node(info, value) for value in ids)))

    @resolver(description="The entity with this key, whatever its type, or null.")
    async def entity(self, info: Info, key: Key) -> Entity | None:
        row = await info.context.loaders.entity_by_key.load(key)
        return None if row is None else build_entity(row)

    @resolver(description="All feature sources.")
    async def feature_sources(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FeatureSourceWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[FeatureSource]:
        return await _entities(info, "FeatureSource", filter, order_by, first, after, last, before)

    @resolver(description="All logical features.")
    async def logical_features(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: LogicalFeatureWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[LogicalFeature]:
        return await _entities(info, "LogicalFeature", filter, order_by, first, after, last, before)

    @resolver(description="All training datasets.")
    async def training_datasets(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: TrainingDatasetWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[TrainingDataset]:
        return await _entities(info, "TrainingDataset", filter, order_by, first, after, last, before)

    @resolver(description="All model sources.")
    async def model_sources(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelSourceWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[ModelSource]:
        return await _entities(info, "ModelSource", filter, order_by, first, after, last, before)

    @resolver(description="All workflow runs.")
    async def workflow_runs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: WorkflowRunWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[WorkflowRun]:
        return await _entities(info, "WorkflowRun", filter, order_by, first, after, last, before)

    @resolver(description="All model binaries.")
    async def model_binaries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelBinaryWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[ModelBinary]:
        return await _entities(info, "ModelBinary", filter, order_by, first, after, last, before)

    @resolver(description="All model deployments.")
    async def model_deployments(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: ModelDeploymentWhere = None,
        order_by: OrderBy = None,
    ) -> Connection[ModelDeployment]:
        return await _entities(info, "ModelDeployment", filter, order_by, first, after, last, before)

    @resolver(description="All teams, by key.")
    async def teams(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[Team]:
        order = Order()
        request = page_request(first, after, last, before, order)
        engine = info.context.engine
        async with engine.connect() as connection_:
            page = await queries.team_page(connection_, request)

        async def count() -> int:
            async with engine.connect() as counting:
                return await queries.team_count(counting)

        return connection(page, order, Team.from_row, counter=count)
