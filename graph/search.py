"""Entity search by key and name: exact key, then prefix, then substring, served by an index.

Candidates come from indexes: exact and prefix matches from b-tree ranges on lower(key) and
lower(name) (migrations 0002 and 0004), substring matches from FTS5 trigram (SQLite) or pg_trgm GIN
(PostgreSQL); they are ranked in SQL. A query shorter than a trigram matches prefixes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Dialect,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from graph.driver_select import DriverSelect, in_list, list_value
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
    dialect = connection_or_engine.dialect
    postgresql = dialect.name == "postgresql"
    # Fold the query as the database folds the columns: SQLite's lower() only knows ASCII.
    folded = text.lower() if postgresql else text.translate(ASCII_LOWER)
    upper = _successor(folded)
    substring = len(folded) >= TRIGRAM
    statement = _compiled(dialect, substring, types is not None, upper is not None)
    parameters: dict[str, Any] = {"folded": folded, "first": first}
    if upper is not None:
        parameters["upper"] = upper
    if postgresql:
        parameters["containing"] = "%" + _escape(folded) + "%"
    else:
        # A quoted phrase makes the trigram tokenizer match the text as a substring of key or name.
        parameters["phrase"] = '"' + folded.replace('"', '""') + '"'
    if types is not None:
        parameters["types"] = list_value(types, postgresql)
    return await statement.rows(connection_or_engine, parameters)


@lru_cache(maxsize=64)
def _compiled(dialect: Dialect, substring: bool, typed: bool, bounded: bool) -> DriverSelect:
    """The search of one shape for one engine's dialect, sent straight to its driver (graph.driver):
    through SQLAlchemy's async adaptation a search cost about 1 ms more than SQLite's own answer."""
    return DriverSelect.compile(_statement(dialect.name == "postgresql", substring, typed, bounded), dialect)


def _statement(postgresql: bool, substring: bool, typed: bool, bounded: bool) -> Select[Any]:
    """The search of one shape, its values bound: the best `first` exact and prefix matches,
    then (from a trigram up) as many substring matches as the page still has room for.

    Ranking every substring candidate cost more than finding them (20,253 candidates among
    161,727 entities: 22 ms ranked as one set, 7 to 10 ms in tiers); a page the prefixes fill reads
    no substring candidate at all (LIMIT 0). Written once per shape: building the statement cost
    more than SQLite's answer to a rare term.
    """
    key = func.lower(entity_table.c.key)
    name = func.lower(entity_table.c.name)
    ordered_key: ColumnElement[Any] = entity_table.c.key
    if postgresql:
        # Keys sort by code point, as on SQLite, whatever the database's collation.
        ordered_key = cast(ColumnElement[Any], entity_table.c.key.collate("C"))
    wanted = _typed(postgresql) if typed else true()
    rank = case((key == bindparam("folded"), 0), else_=1).label("rank")
    prefixed = (
        select(entity_table.c.id, rank, entity_table.c.key)
        .where(_prefixed(postgresql, bounded, key, name), wanted)
        .order_by(rank, ordered_key)
        .limit(bindparam("first"))
        .cte("prefixed")
    )
    hits: Any = select(prefixed)
    if substring:
        listed = select(func.count()).select_from(prefixed).scalar_subquery()
        room: ColumnElement[int] = bindparam("first") - listed
        contained = (
            _contained(postgresql, key, name)
            .add_columns(entity_table.c.id, literal_column("2").label("rank"), entity_table.c.key)
            # Past the prefixes: they all fit the page (and are listed) or the page has no room.
            .where(entity_table.c.id.not_in(select(prefixed.c.id)), wanted)
            .order_by(ordered_key)
            .limit(room)
            .subquery("contained")
        )
        hits = union_all(hits, select(contained))
    found = hits.subquery("hits")
    found_key: ColumnElement[Any] = found.c.key.collate("C") if postgresql else found.c.key
    return select_entities().join(found, found.c.id == entity_table.c.id).order_by(found.c.rank, found_key)


def _typed(postgresql: bool) -> ColumnElement[bool]:
    """The condition on entity types, never the index a search starts from on SQLite.

    SQLite's planner otherwise starts from the (type, key) index and runs the match once per
    entity of the types (measured: 6.9 s for "fs/0" among WorkflowRun, 3.4 ms without); unary
    plus keeps the column out of index choices and leaves it a plain filter.
    """
    column: ColumnElement[str] = entity_table.c.type
    if not postgresql:
        column = UnaryExpression(column, operator=custom_op("+"))
    return in_list(column, "types", postgresql)


def _prefixed(
    postgresql: bool, bounded: bool, key: ColumnElement[str], name: ColumnElement[str]
) -> ColumnElement[bool]:
    """Key or name starts with the query, as a condition an index answers.

    A half-open range on the lower(...) expression indexes is a b-tree prefix lookup. On
    PostgreSQL the indexes and the range are in the "C" collation: code point order, as on SQLite.
    There an anchored LIKE through the trigram indexes cost more (10000-model demo, first 20: an
    exact key 1.74 -> 1.14 ms, "a" 13.8 -> 4.5 ms, "train" 61 -> 21 ms).
    """
    if postgresql:
        key = cast(ColumnElement[str], key.collate("C"))
        name = cast(ColumnElement[str], name.collate("C"))
    return or_(_starts(key, bounded), _starts(name, bounded))


def _contained(postgresql: bool, key: ColumnElement[str], name: ColumnElement[str]) -> Select[Any]:
    """The entities whose key or name contains the query (of a trigram at least), from the index."""
    if postgresql:
        # pg_trgm serves unanchored patterns of a full trigram.
        bound: ColumnElement[str] = bindparam("containing")
        return select().where(or_(key.like(bound, escape=LIKE_ESCAPE), name.like(bound, escape=LIKE_ESCAPE)))
    # Joined (not `IN`), SQLite reads the matches without collecting them first.
    joined = search_table.join(entity_table, entity_table.c.id == search_table.c.rowid)
    return select().select_from(joined).where(literal_column("entity_search").match(bindparam("phrase")))


def _starts(expression: ColumnElement[str], bounded: bool) -> ColumnElement[bool]:
    if not bounded:
        return expression >= bindparam("folded")
    return and_(expression >= bindparam("folded"), expression < bindparam("upper"))


def _successor(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix` (code point order), or None
    when no string is (the prefix is all U+10FFFF, the last code point)."""
    # Past a trailing U+10FFFF, strings that start with the rest of the prefix follow in order.
    stem = prefix.rstrip(chr(0x10FFFF))
    if not stem:
        return None
    following = ord(stem[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        # Surrogates cannot be encoded; the next encodable code point bounds the range as well.
        following = 0xE000
    return stem[:-1] + chr(following)


def _escape(text: str) -> str:
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
