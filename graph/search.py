"""Entity search by key and name: exact key, then prefix, then substring, served by an index.

Candidates come from the index built by migration 0002 (FTS5 trigram on SQLite, pg_trgm GIN on
PostgreSQL); only the candidates are ranked, in SQL. A query shorter than a trigram matches
prefixes only, through b-tree (SQLite) or anchored trigram (PostgreSQL) lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    and_,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graph.models import entity_table
from graph.queries import select_entities

MAX_FIRST = 100
TRIGRAM = 3
LIKE_ESCAPE = "/"
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

search_table = table("entity_search", column("rowid", Integer))


class SearchLimitError(ValueError):
    """A page size outside what one request may ask for."""


async def search_entities(
    connection_or_engine: AsyncConnection | AsyncEngine,
    query: str,
    types: Sequence[str] | None,
    first: int,
) -> list[Row[Any]]:
    """Up to `first` entity rows (with owner columns, as graph.queries gives them), best first.

    Matches `query` case-insensitively against keys and names.

    Rank: the key equals the query, then the key or name starts with it, then contains it;
    ties by key. `types` (entity type names) restricts the answer; `[]` matches nothing.
    """
    if not 0 <= first <= MAX_FIRST:
        raise SearchLimitError(f"first must be between 0 and {MAX_FIRST}, not {first}")
    text = query.strip()
    if not text or first == 0 or (types is not None and len(types) == 0):
        return []
    if isinstance(connection_or_engine, AsyncEngine):
        async with connection_or_engine.connect() as connection:
            return await _search(connection, text, types, first)
    return await _search(connection_or_engine, text, types, first)


async def _search(
    connection: AsyncConnection, text: str, types: Sequence[str] | None, first: int
) -> list[Row[Any]]:
    postgresql = connection.dialect.name == "postgresql"
    # Fold the query as the database folds the columns: SQLite's lower() only knows ASCII.
    folded = text.lower() if postgresql else text.translate(ASCII_LOWER)
    key = func.lower(entity_table.c.key)
    name = func.lower(entity_table.c.name)
    prefix = _escape(folded) + "%"
    rank = case(
        (key == folded, 0),
        (or_(key.like(prefix, escape=LIKE_ESCAPE), name.like(prefix, escape=LIKE_ESCAPE)), 1),
        else_=2,
    )
    ordered_key: ColumnElement[Any] = entity_table.c.key
    if postgresql:
        # Keys sort by code point, as on SQLite, whatever the database's collation.
        ordered_key = cast(ColumnElement[Any], entity_table.c.key.collate("C"))
    statement = (
        select_entities()
        .where(_candidates(postgresql, folded, key, name))
        .order_by(rank, ordered_key)
        .limit(first)
    )
    if types is not None:
        statement = statement.where(entity_table.c.type.in_(list(types)))
    return list((await connection.execute(statement)).all())


def _candidates(
    postgresql: bool, folded: str, key: ColumnElement[str], name: ColumnElement[str]
) -> ColumnElement[bool]:
    """The rows that can match, as a condition the index answers."""
    short = len(folded) < TRIGRAM
    if postgresql:
        # pg_trgm serves anchored patterns of any length and unanchored ones of a full trigram.
        pattern = _escape(folded) + "%" if short else "%" + _escape(folded) + "%"
        return or_(key.like(pattern, escape=LIKE_ESCAPE), name.like(pattern, escape=LIKE_ESCAPE))
    if short:
        # A half-open range on the lower(...) expression indexes is a b-tree prefix lookup.
        upper = _successor(folded)
        return or_(_starts(key, folded, upper), _starts(name, folded, upper))
    # A quoted phrase makes the trigram tokenizer match the text as a substring of key or name.
    phrase = '"' + folded.replace('"', '""') + '"'
    matches = select(search_table.c.rowid).where(literal_column("entity_search").match(phrase))
    return entity_table.c.id.in_(matches)


def _starts(expression: ColumnElement[str], prefix: str, upper: str | None) -> ColumnElement[bool]:
    if upper is None:
        return expression >= prefix
    return and_(expression >= prefix, expression < upper)


def _successor(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix` (code point order)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    following = last + 1
    if 0xD800 <= following <= 0xDFFF:
        # Surrogates cannot be encoded; the next encodable code point bounds the range as well.
        following = 0xE000
    return prefix[:-1] + chr(following)


def _escape(text: str) -> str:
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
