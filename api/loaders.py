"""Per-request DataLoaders, one per thing loaded and key it is loaded by; each batch is one query.

Every batch opens its own connection: GraphQL resolves sibling fields concurrently, so batches of
different loaders run at the same time and must not share one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from graph import lookups, queries
from graph.pages import Order, Page, PageRequest, empty_page
from graph.queries import EntityFilter, Hop, Relation

FEEDS, COMPOSES, TRAINS, EXECUTES = "FEEDS", "COMPOSES", "TRAINS", "EXECUTES"
PRODUCES, DEPLOYED_TO, LOGS = "PRODUCES", "DEPLOYED_TO", "LOGS"

# The arguments of the field asking for a page (filter, page request...), the same for siblings.
Arguments = TypeVar("Arguments", bound=Hashable)


def _by_column(rows: Sequence[Row[Any]], column: str) -> dict[Any, Row[Any]]:
    return {row._mapping[column]: row for row in rows}


class EntityLoader(DataLoader[Any, Row[Any] | None]):
    """Base for loaders of single rows; `load_rows` is the one query."""

    column = "key"

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(load_fn=self._load)
        self.engine = engine

    async def load_rows(self, keys: Sequence[Any]) -> Sequence[Row[Any]]:
        raise NotImplementedError

    async def _load(self, keys: list[Any]) -> list[Row[Any] | None]:
        found = _by_column(await self.load_rows(keys), self.column)
        return [found.get(key) for key in keys]


class EntityByKeyLoader(EntityLoader):
    """Entities by their key."""

    async def load_rows(self, keys: Sequence[Any]) -> Sequence[Row[Any]]:
        return await lookups.entities_by_keys(self.engine, keys)


class TeamByKeyLoader(EntityLoader):
    """Teams by their key."""

    async def load_rows(self, keys: Sequence[Any]) -> Sequence[Row[Any]]:
        return await lookups.teams_by_keys(self.engine, keys)


class TeamByIdLoader(EntityLoader):
    """Teams by their row id (owners and parents)."""

    column = "id"

    async def load_rows(self, keys: Sequence[Any]) -> Sequence[Row[Any]]:
        return await lookups.teams_by_ids(self.engine, keys)


class PageLoader(Generic[Arguments]):
    """Base for one page per parent id. Parents asking with the same field arguments share one
    DataLoader, so siblings make one batch and one query, and batch keys are plain ids."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._by_arguments: dict[Arguments, DataLoader[int, Page]] = {}

    def load(self, parent_id: int, arguments: Arguments) -> Awaitable[Page]:
        loader = self._by_arguments.get(arguments)
        if loader is None:
            loader = DataLoader(load_fn=partial(self._load, arguments))
            self._by_arguments[arguments] = loader
        return loader.load(parent_id)

    async def load_pages(
        self, connection: AsyncConnection, parent_ids: list[int], arguments: Arguments
    ) -> dict[Hashable, Page]:
        raise NotImplementedError

    async def _load(self, arguments: Arguments, parent_ids: list[int]) -> list[Page]:
        async with self.engine.connect() as connection:
            pages = await self.load_pages(connection, parent_ids, arguments)
        return [pages.get(parent_id) or empty_page() for parent_id in parent_ids]


class RelatedPageLoader(PageLoader[tuple[EntityFilter, PageRequest]]):
    """Base for one page of related entities per parent entity id, following `relation`."""

    relation: Relation = ()

    async def load_pages(
        self, connection: AsyncConnection, parent_ids: list[int], arguments: tuple[EntityFilter, PageRequest]
    ) -> dict[Hashable, Page]:
        where, request = arguments
        return await queries.related_entity_pages(connection, self.relation, parent_ids, where, request)


class FeaturesBySourceIdLoader(RelatedPageLoader):
    """Logical features fed by each feature source."""

    relation = (Hop(FEEDS, downstream=True),)


class DeploymentsByLoggedSourceIdLoader(RelatedPageLoader):
    """Deployments whose inference logs became each feature source."""

    relation = (Hop(LOGS, downstream=False),)


class SourcesByFeatureIdLoader(RelatedPageLoader):
    """Feature sources feeding each logical feature."""

    relation = (Hop(FEEDS, downstream=False),)


class DatasetsByFeatureIdLoader(RelatedPageLoader):
    """Training datasets each logical feature is composed into."""

    relation = (Hop(COMPOSES, downstream=True),)


class FeaturesByDatasetIdLoader(RelatedPageLoader):
    """Logical features composing each training dataset."""

    relation = (Hop(COMPOSES, downstream=False),)


class RunsByDatasetIdLoader(RelatedPageLoader):
    """Workflow runs each training dataset trained."""

    relation = (Hop(TRAINS, downstream=True),)


class RunsByModelSourceIdLoader(RelatedPageLoader):
    """Workflow runs executing each model source."""

    relation = (Hop(EXECUTES, downstream=True),)


class BinariesByModelSourceIdLoader(RelatedPageLoader):
    """Binaries produced by the runs of each model source."""

    relation = (Hop(EXECUTES, downstream=True), Hop(PRODUCES, downstream=True))


class DeploymentsByModelSourceIdLoader(RelatedPageLoader):
    """Deployments serving any binary of each model source, whatever their role."""

    relation = (
        Hop(EXECUTES, downstream=True),
        Hop(PRODUCES, downstream=True),
        Hop(DEPLOYED_TO, downstream=True),
    )


class DatasetsByRunIdLoader(RelatedPageLoader):
    """Training datasets each workflow run trained on."""

    relation = (Hop(TRAINS, downstream=False),)


class BinariesByRunIdLoader(RelatedPageLoader):
    """Binaries each workflow run produced."""

    relation = (Hop(PRODUCES, downstream=True),)


class DeploymentsByBinaryIdLoader(RelatedPageLoader):
    """Deployments serving each binary, with the edge's traffic and role."""

    relation = (Hop(DEPLOYED_TO, downstream=True),)


class BinariesByDeploymentIdLoader(RelatedPageLoader):
    """Binaries served by each deployment, with the edge's traffic and role."""

    relation = (Hop(DEPLOYED_TO, downstream=False),)


class LoggedSourcesByDeploymentIdLoader(RelatedPageLoader):
    """Feature sources each deployment's inference logs became."""

    relation = (Hop(LOGS, downstream=True),)


class RelatedEntityLoader(DataLoader[int, Row[Any] | None]):
    """Base for the single entity a parent leads to: the first in `order` along `relation`."""

    relation: Relation = ()
    order = Order()

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(load_fn=self._load)
        self.engine = engine

    async def _load(self, keys: list[int]) -> list[Row[Any] | None]:
        request = PageRequest(limit=1, order=self.order)
        async with self.engine.connect() as connection:
            pages = await queries.related_entity_pages(
                connection, self.relation, keys, queries.NO_FILTER, request
            )
        found = {parent: page.rows[0] for parent, page in pages.items() if page.rows}
        return [found.get(key) for key in keys]


class ModelSourceByRunIdLoader(RelatedEntityLoader):
    """The model source each workflow run executes."""

    relation = (Hop(EXECUTES, downstream=False),)


class RunByBinaryIdLoader(RelatedEntityLoader):
    """The workflow run that produced each binary."""

    relation = (Hop(PRODUCES, downstream=False),)


class ModelSourceByBinaryIdLoader(RelatedEntityLoader):
    """The model source whose run produced each binary."""

    relation = (Hop(PRODUCES, downstream=False), Hop(EXECUTES, downstream=False))


class LatestBinaryByModelSourceIdLoader(RelatedEntityLoader):
    """Each model source's binary with the largest createdAt (ties: the greatest key)."""

    relation = BinariesByModelSourceIdLoader.relation
    order = Order("created_at", descending=True)


class EntitiesByTeamIdLoader(PageLoader[tuple[tuple[str, ...] | None, EntityFilter, PageRequest]]):
    """One page per team of the entities it or its descendant teams own."""

    async def load_pages(
        self,
        connection: AsyncConnection,
        parent_ids: list[int],
        arguments: tuple[tuple[str, ...] | None, EntityFilter, PageRequest],
    ) -> dict[Hashable, Page]:
        types, where, request = arguments
        return await queries.team_entity_pages(connection, parent_ids, types, where, request)


class ChildTeamsByTeamIdLoader(PageLoader[PageRequest]):
    """One page of direct child teams per team."""

    async def load_pages(
        self, connection: AsyncConnection, parent_ids: list[int], arguments: PageRequest
    ) -> dict[Hashable, Page]:
        return await queries.child_team_pages(connection, parent_ids, arguments)
