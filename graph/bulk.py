"""Bulk inserts straight through the driver, values bound as plain tuples.

Ingest writes tens of thousands of rows per batch; letting the driver bind tuples directly
skips per-row statement parameter processing, which otherwise costs as much as the database's
own work. Rows go many to a statement (`VALUES (...), (...)`): on SQLite, the search index's
FTS5 table, filled by a trigger, writes out what it has pending at the end of every statement,
so one statement per row cost 1.05 s for the 16,000 entities of a 1000-model batch where
statements of 1000 rows cost 0.28 s; and a statement can return the ids it assigned.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.db import dump_json
from graph.timestamps import Timestamp, to_micros

Convert = Callable[[Any], Any]
Plain = tuple[Any, ...]
# At most this many rows go in one statement, within each engine's limit on parameters: SQLite
# binds 32766 (999 before 3.32), PostgreSQL 32767; past a few hundred rows, longer statements
# gain nothing.
ROWS_PER_STATEMENT = 1000
SQLITE_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
POSTGRESQL_PARAMETERS = 32767


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


@lru_cache(maxsize=128)
def _statement(
    table: Table, columns: tuple[str, ...], paramstyle: str, rows: int, returning: tuple[str, ...]
) -> str:
    width = len(columns)
    if paramstyle == "qmark":
        marks = ["?"] * (width * rows)
    elif paramstyle == "numeric_dollar":
        marks = [f"${index}" for index in range(1, width * rows + 1)]
    elif paramstyle == "format":
        marks = ["%s"] * (width * rows)
    else:
        raise NotImplementedError(f"paramstyle {paramstyle}")
    values = ", ".join(
        f"({', '.join(marks[start : start + width])})" for start in range(0, len(marks), width)
    )
    returned = f" RETURNING {', '.join(returning)}" if returning else ""
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {values}{returned}"


async def insert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    returning: tuple[str, ...] = (),
) -> list[Plain]:
    """Insert rows (all with the same keys), values converted as the column types would.

    Returns the `returning` columns of the inserted rows, in no particular order.
    """
    if not rows:
        return []
    columns = tuple(rows[0])
    converters = [_converter(table, column) for column in columns]
    plain = [
        tuple(convert(row[column]) for convert, column in zip(converters, columns, strict=True))
        for row in rows
    ]
    return await insert_plain(connection, table, columns, plain, returning)


async def insert_plain(
    connection: AsyncConnection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Plain],
    returning: tuple[str, ...] = (),
) -> list[Plain]:
    """Insert rows of values already in the driver's form (timestamps as microseconds, JSON as text)."""
    paramstyle = connection.dialect.paramstyle
    limit = SQLITE_PARAMETERS if connection.dialect.name == "sqlite" else POSTGRESQL_PARAMETERS
    per_statement = max(1, min(ROWS_PER_STATEMENT, limit // len(columns)))
    returned: list[Plain] = []
    start = 0
    for size in _statement_sizes(len(rows), per_statement):
        part = rows[start : start + size]
        start += size
        statement = _statement(table, columns, paramstyle, size, returning)
        result = await connection.exec_driver_sql(statement, tuple(value for row in part for value in row))
        if returning:
            returned.extend(tuple(row) for row in result)
    return returned


def _statement_sizes(rows: int, most: int) -> list[int]:
    """Rows per statement: full statements, then the rest in powers of two.

    Statement texts stay few (a database caches each one it prepares, and one of 1000 rows
    prepares into a large program): a batch's remainders of every length would each be another.
    """
    sizes = [most] * (rows // most)
    rest = rows % most
    while rest:
        size = 1 << (rest.bit_length() - 1)
        sizes.append(size)
        rest -= size
    return sizes
