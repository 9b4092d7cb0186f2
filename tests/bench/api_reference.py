"""References for the API benchmark, served by uvicorn like aigraph itself.

`bare_app`: a Starlette endpoint doing one SQL statement and returning the key lookup's JSON.
`naive_app`: the simplest strawberry + SQLAlchemy app, one query per parent and relation, the way
lazy relationships load; it answers the benchmark's nested queries with the same JSON.
"""

from __future__ import annotations

import os
from typing import Any

import orjson
import strawberry
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph.db import create_engine
from graph.models import edge_table, entity_table, team_table

KEY_LOOKUP = """SELECT entity.key, entity.name, team.key AS owner_key, team.name AS owner_name
FROM entity LEFT JOIN team ON team.id = entity.owner_id WHERE entity.key = :key"""


def _engine() -> AsyncEngine:
    return create_engine(os.environ["AIGRAPH_DATABASE_URL"])


def bare_app() -> Starlette:
    engine = _engine()

    async def lookup(request: Request) -> Response:
        key = orjson.loads(await request.body())["variables"]["key"]
        async with engine.connect() as connection:
            row = (await connection.execute(text(KEY_LOOKUP), {"key": key})).one_or_none()
        entity = None
        if row is not None:
            owner = None if row.owner_key is None else {"key": row.owner_key, "name": row.owner_name}
            entity = {"key": row.key, "name": row.name, "owner": owner}
        return Response(orjson.dumps({"data": {"entity": entity}}), media_type="application/json")

    return Starlette(routes=[Route("/graphql", lookup, methods=["POST"])])


async def _one(statement: Any) -> Any:
    async with ENGINE.connect() as connection:
        return (await connection.execute(statement)).first()


async def _many(statement: Any) -> list[Any]:
    async with ENGINE.connect() as connection:
        return list((await connection.execute(statement)).all())


def _neighbours(entity_id: int, kind: str, downstream: bool) -> Any:
    near, far = (edge_table.c.source_id, edge_table.c.target_id)[:: 1 if downstream else -1]
    return (
        select(entity_table.c.id, entity_table.c.key)
        .join(edge_table, far == entity_table.c.id)
        .where(near == entity_id, edge_table.c.kind == kind)
        .order_by(entity_table.c.key)
    )


@strawberry.type
class NaiveTeam:
    key: str


@strawberry.type
class NaiveDeployment:
    key: str


@strawberry.type
class NaiveRun:
    key: str


@strawberry.type
class NaiveBinary:
    id: strawberry.Private[int]
    key: str
    owner_id: strawberry.Private[int | None]

    @strawberry.field
    async def owner(self) -> NaiveTeam | None:
        if self.owner_id is None:
            return None
        row = await _one(select(team_table.c.key).where(team_table.c.id == self.owner_id))
        return NaiveTeam(key=row.key)

    @strawberry.field
    async def run(self) -> NaiveRun | None:
        row = await _one(_neighbours(self.id, "PRODUCES", downstream=False))
        return None if row is None else NaiveRun(key=row.key)

    @strawberry.field
    async def deployments(self) -> list[NaiveDeployment]:
        return [
            NaiveDeployment(key=row.key) for row in await _many(_neighbours(self.id, "DEPLOYED_TO", True))
        ]


@strawberry.type
class NaiveSourceRun:
    id: strawberry.Private[int]
    key: str

    @strawberry.field
    async def binaries(self) -> list[NaiveBinary]:
        rows = await _many(_neighbours(self.id, "PRODUCES", downstream=True))
        return [NaiveBinary(id=row.id, key=row.key, owner_id=None) for row in rows]


@strawberry.type
class NaiveSource:
    id: strawberry.Private[int]
    key: str

    @strawberry.field
    async def runs(self) -> list[NaiveSourceRun]:
        rows = await _many(_neighbours(self.id, "EXECUTES", downstream=True))
        return [NaiveSourceRun(id=row.id, key=row.key) for row in rows]


def _of_type(entity_type: str, first: int) -> Any:
    columns = (entity_table.c.id, entity_table.c.key, entity_table.c.owner_id)
    return (
        select(*columns).where(entity_table.c.type == entity_type).order_by(entity_table.c.key).limit(first)
    )


@strawberry.type
class NaiveQuery:
    @strawberry.field
    async def model_sources(self, first: int) -> list[NaiveSource]:
        return [NaiveSource(id=row.id, key=row.key) for row in await _many(_of_type("ModelSource", first))]

    @strawberry.field
    async def model_binaries(self, first: int) -> list[NaiveBinary]:
        rows = await _many(_of_type("ModelBinary", first))
        return [NaiveBinary(id=row.id, key=row.key, owner_id=row.owner_id) for row in rows]


ENGINE: AsyncEngine


def naive_app() -> Starlette:
    global ENGINE
    ENGINE = _engine()
    schema = strawberry.Schema(NaiveQuery)

    async def execute(request: Request) -> Response:
        body = orjson.loads(await request.body())
        result = await schema.execute(body["query"], body.get("variables"))
        assert not result.errors, result.errors
        return Response(orjson.dumps({"data": result.data}), media_type="application/json")

    return Starlette(routes=[Route("/graphql", execute, methods=["POST"])])
