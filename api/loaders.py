"""Per-request DataLoaders, one per thing loaded and key it is loaded by; each batch is one query.

Every batch opens its own connection: GraphQL resolves sibling fields concurrently, so batches of
different loaders run at the same time and must not share one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from graph import queries
from graph.pages import Order, Page, PageRequest, empty_page
from graph.queries import EntityFilter, Hop, Relation

FEEDS, COMPOSES, TRAINS, EXECUTES = "FEEDS", "COMPOSES", "TRAINS", "EXECUTES"
PRODUCES, DEPLOYED_TO, LOGS = "PRODUCES", "DEPLOYED_TO", "LOGS"

# A page is asked for by parent and by the arguments of the field that asks.
PageKey = tuple[int, EntityFilter, PageRequest]
TeamEntitiesKey = tuple[int, tuple[str, ...] | None, EntityFilter, PageRequest]
TeamPageKey = tuple[int, PageRequest]


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
        async with self.engine.connect() as connection:
            return await queries.entities_by_keys(connection, keys)


class TeamByKeyLoader(EntityLoader):
    """Teams by their key."""

    async def load_rows(self, keys: Sequence[Any]) -> Sequence[Row[Any]]:
        async with self.engine.connect() as connection:
            return await queries.teams_by_keys(connection, keys)


class TeamByIdLoader(EntityLoader):
    """Teams by their row id (owners and parents)."""

    column = "id"

    async def load_rows(self, keys: Sequence[Any]) -> Sequence[Row[Any]]:
        async with self.engine.connect() as connection:
            return await queries.teams_by_ids(connection, keys)


class RelatedPageLoader(DataLoader[PageKey, Page]):
    """Base for one page of related entities per parent entity id, following `relation`."""

    relation: Relation = ()

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(load_fn=self._load)
        self.engine = engine

    async def _load(self, keys: list[PageKey]) -> list[Page]:
        # Sibling parents ask with the same arguments, so this is one group and one query.
        groups: dict[tuple[EntityFilter, PageRequest], list[int]] = defaultdict(list)
        for parent_id, where, request in keys:
            groups[(where, request)].append(parent_id)
        found: dict[tuple[Hashable, EntityFilter, PageRequest], Page] = {}
        async with self.engine.connect() as connection:
            for (where, request), parent_ids in groups.items():
                pages = await queries.related_entity_pages(
                    connection, self.relation, parent_ids, where, request
                )
                for parent, page in pages.items():
                    found[(parent, where, request)] = page
        return [found.get(key) or empty_page() for key in keys]


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


class EntitiesByTeamIdLoader(DataLoader[TeamEntitiesKey, Page]):
    """One page per team of the entities it or its descendant teams own."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(load_fn=self._load)
        self.engine = engine

    async def _load(self, keys: list[TeamEntitiesKey]) -> list[Page]:
        groups: dict[tuple[tuple[str, ...] | None, EntityFilter, PageRequest], list[int]] = defaultdict(list)
        for team_id, types, where, request in keys:
            groups[(types, where, request)].append(team_id)
        found: dict[tuple[Hashable, tuple[str, ...] | None, EntityFilter, PageRequest], Page] = {}
        async with self.engine.connect() as connection:
            for (types, where, request), team_ids in groups.items():
                pages = await queries.team_entity_pages(connection, team_ids, types, where, request)
                for parent, page in pages.items():
                    found[(parent, types, where, request)] = page
        return [found.get(key) or empty_page() for key in keys]


class ChildTeamsByTeamIdLoader(DataLoader[TeamPageKey, Page]):
    """One page of direct child teams per team."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(load_fn=self._load)
        self.engine = engine

    async def _load(self, keys: list[TeamPageKey]) -> list[Page]:
        groups: dict[PageRequest, list[int]] = defaultdict(list)
        for team_id, request in keys:
            groups[request].append(team_id)
        found: dict[tuple[Hashable, PageRequest], Page] = {}
        async with self.engine.connect() as connection:
            for request, team_ids in groups.items():
                pages = await queries.child_team_pages(connection, team_ids, request)
                for parent, page in pages.items():
                    found[(parent, request)] = page
        return [found.get(key) or empty_page() for key in keys]
