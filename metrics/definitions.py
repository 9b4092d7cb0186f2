"""Metric definitions as read from the store, and the errors a caller can act on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.driver_select import DriverSelect, in_list, list_value
from graph.models import metric_definition_table
from metrics.buckets import Bucket, parse_buckets

definition_table = metric_definition_table


class MetricsError(Exception):
    """A request the caller can fix; the message names what is wrong."""


class UnknownMetric(MetricsError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown metric {key!r}")
        self.key = key


class UnknownFramework(MetricsError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown metric framework {key!r}")
        self.key = key


class UnknownTeam(MetricsError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown team {key!r}")
        self.key = key


class UnknownEntity(MetricsError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown entity {key!r}")
        self.key = key


@dataclass(frozen=True, slots=True)
class Definition:
    """A bucketed metric; `entity_type` None means it applies to every entity type."""

    id: int
    key: str
    name: str
    description: str | None
    category: str
    entity_type: str | None
    unit: str | None
    higher_is_better: bool | None
    buckets: tuple[Bucket, ...]
    derived: bool

    def applies_to(self, entity_type: str) -> bool:
        return self.entity_type is None or self.entity_type == entity_type

    @classmethod
    def from_row(cls, row: Row[Any] | Any) -> Definition:
        values = row._mapping
        return cls(
            id=values["id"],
            key=values["key"],
            name=values["name"],
            description=values["description"],
            category=values["category"],
            entity_type=values["entity_type"],
            unit=values["unit"],
            higher_is_better=values["higher_is_better"],
            buckets=parse_buckets(values["buckets"]),
            derived=bool(values["derived"]),
        )


_COLUMNS = (
    definition_table.c.id,
    definition_table.c.key,
    definition_table.c.name,
    definition_table.c.description,
    definition_table.c.category,
    definition_table.c.entity_type,
    definition_table.c.unit,
    definition_table.c.higher_is_better,
    definition_table.c.buckets,
    definition_table.c.derived,
)


async def load_definitions(
    connection: AsyncConnection, keys: Sequence[str] | None = None, category: str | None = None
) -> list[Definition]:
    """Definitions by key (in the order asked; an unknown key raises UnknownMetric), else all by key.

    `category` narrows either list.
    """
    if keys is not None:
        # The definitions a framework or a metric field names, on every scorecard and rollup:
        # straight to the driver (through SQLAlchemy's async adaptation and aiosqlite's thread this
        # one lookup cost about 0.7 ms, four times the rest of a scorecard's statements).
        postgresql = connection.dialect.name == "postgresql"
        values = {"keys": list_value(list(dict.fromkeys(keys)), postgresql)}
        rows: Sequence[Any] = await _by_keys(connection.dialect).rows(connection, values)
    else:
        rows = (await connection.execute(select(*_COLUMNS).order_by(definition_table.c.key))).all()
    found = {row.key: Definition.from_row(row) for row in rows}
    if keys is None:
        definitions = list(found.values())
    else:
        missing = [key for key in keys if key not in found]
        if missing:
            raise UnknownMetric(missing[0])
        definitions = [found[key] for key in dict.fromkeys(keys)]
    if category is not None:
        definitions = [definition for definition in definitions if definition.category == category]
    return definitions


@lru_cache(maxsize=8)
def _by_keys(dialect: Dialect) -> DriverSelect:
    """The definitions whose key is in the list bound as `keys`, compiled once for the dialect."""
    wanted = in_list(definition_table.c.key, "keys", dialect.name == "postgresql")
    return DriverSelect.compile(select(*_COLUMNS).where(wanted), dialect)


async def load_definition(connection: AsyncConnection, key: str) -> Definition:
    return (await load_definitions(connection, [key]))[0]


def by_key(definitions: Iterable[Definition]) -> dict[str, Definition]:
    return {definition.key: definition for definition in definitions}
