"""SQLAlchemy SELECTs sent through graph.driver: compiled once, their rows typed as SQLAlchemy types them.

A statement written with SQLAlchemy (its joins, labels and column types) is compiled once for a
dialect into the driver's SQL and the order of its parameters; each read then binds plain values
and turns the driver's tuples into `Row`s with the values the columns' types give (JSON decoded,
timestamps as datetimes), as `connection.execute(...).all()` would, without SQLAlchemy's
per-statement work or the trips to aiosqlite's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Dialect,
    Float,
    Numeric,
    Row,
    Select,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.engine.result import result_tuple
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeEngine

from graph.db import dump_json
from graph.driver import fetch_rows, fetch_rows_pooled

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class DriverSelect:
    """One SELECT in the driver's SQL, with what binding its parameters and typing its rows need."""

    sql: str
    names: tuple[str, ...]  # of the parameters, in the order the driver takes them
    converters: tuple[Processor, ...]
    literals: Mapping[str, Any]  # values SQLAlchemy bound itself (literals in CASE, for instance)
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, result processor)
    make_row: Callable[[Sequence[Any]], Row[Any]]

    @classmethod
    def compile(cls, statement: Select[Any] | CompoundSelect[Any], dialect: Dialect) -> DriverSelect:
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        if not dialect.positional and compiled.binds:
            raise ValueError(f"the {dialect.name} driver does not take positional parameters")
        # What the parameters' types do to a value before the driver sees it (an ARRAY's items...).
        converters: list[Processor] = []
        for name in names:
            convert = compiled._bind_processors.get(name)
            if convert is not None and not callable(convert):
                raise ValueError(f"parameter {name!r}: tuple-valued parameters are not supported")
            converters.append(convert)
        columns = statement.selected_columns
        processors = tuple(
            (index, process)
            for index, column in enumerate(columns)
            if (process := _result_processor(column.type, dialect)) is not None
        )
        keys = [str(key) for key in list(columns.keys())]
        literals = dict(compiled.params)
        return cls(compiled.string, names, tuple(converters), literals, processors, result_tuple(keys))

    async def rows(
        self, connection_or_engine: AsyncConnection | AsyncEngine, values: Mapping[str, Any]
    ) -> list[Row[Any]]:
        """The statement's rows for `values` (by parameter name), on a connection or the engine's pool."""
        bound = {**self.literals, **values}
        parameters = tuple(
            bound[name] if convert is None else convert(bound[name])
            for name, convert in zip(self.names, self.converters, strict=True)
        )
        if isinstance(connection_or_engine, AsyncEngine):
            found = await fetch_rows_pooled(connection_or_engine, self.sql, parameters)
        else:
            found = await fetch_rows(connection_or_engine, self.sql, parameters)
        rows = []
        for row in found:
            cells = list(row)
            for index, process in self.processors:
                cells[index] = process(cells[index])
            rows.append(self.make_row(cells))
        return rows


def _result_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Processor:
    impl = column_type.dialect_impl(dialect)
    if isinstance(impl, Float | Numeric) and not impl.asdecimal:
        # A float column's processor depends on the type the driver reports for each result (asyncpg
        # hands over a numeric as a Decimal), unknown at compile time: any number becomes a float.
        return _float
    return impl.result_processor(dialect, None)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def in_list(column: ColumnElement[Any], name: str, postgresql: bool) -> ColumnElement[bool]:
    """`column` is one of the list bound as `name`, in one parameter whatever the list's length
    (SQLAlchemy's expanding IN renders one per item, so its SQL changes with the length): an
    array on PostgreSQL, a JSON array read by json_each on SQLite. Bind it with `list_value`."""
    if postgresql:
        return column == func.any(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(name))))


def list_value(values: Sequence[Any], postgresql: bool) -> Any:
    """The value to bind for an `in_list` parameter."""
    return list(values) if postgresql else dump_json(list(values))
