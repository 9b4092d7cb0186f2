"""Bulk inserts straight through the driver: one executemany of plain tuples per table.

Ingest writes tens of thousands of rows per batch; letting the driver bind tuples directly
skips per-row statement parameter processing, which otherwise costs as much as SQLite's own work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.db import dump_json
from graph.timestamps import Timestamp, to_micros

Convert = Callable[[Any], Any]


def _micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _identity(value: Any) -> Any:
    return value


def _converter(table: Table, column: str) -> Convert:
    column_type = table.c[column].type
    if isinstance(column_type, Timestamp):
        return _micros
    if isinstance(column_type, JSON) or isinstance(getattr(column_type, "impl", None), JSON):
        return dump_json
    return _identity


@cache
def _statement(table: Table, columns: tuple[str, ...], paramstyle: str) -> str:
    if paramstyle == "qmark":
        marks = ["?"] * len(columns)
    elif paramstyle == "numeric_dollar":
        marks = [f"${index}" for index in range(1, len(columns) + 1)]
    elif paramstyle == "format":
        marks = ["%s"] * len(columns)
    else:
        raise NotImplementedError(f"paramstyle {paramstyle}")
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(marks)})"


async def insert_rows(connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (all with the same keys) in one executemany, values converted as the column types would."""
    if not rows:
        return
    columns = tuple(rows[0])
    converters = [_converter(table, column) for column in columns]
    plain = [
        tuple(convert(row[column]) for convert, column in zip(converters, columns, strict=True))
        for row in rows
    ]
    statement = _statement(table, columns, connection.dialect.paramstyle)
    await connection.exec_driver_sql(statement, plain)
