"""Search agrees with a plain-Python ranking of the same records on random keys, names and queries."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.models import entity_table
from graph.search import TRIGRAM, search_entities
from tests.graph.test_lineage import load_graph
from tests.graph.test_lineage_property import ENTITY_TYPES

# Case pairs, LIKE wildcards and the escape character, a space, a digit and a letter beyond ASCII.
# Queries change case in ASCII only: beyond it, SQLite's lower() (ranks, short queries) leaves
# letters as they are while PostgreSQL's folds them.
ALPHABET = "aAbBc_%/ 9é"
ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class Entity:
    key: str
    type: str
    name: str


@st.composite
def catalogues(draw: st.DrawFn) -> list[Entity]:
    keys = draw(st.lists(st.text(ALPHABET, min_size=1, max_size=6), min_size=1, max_size=20, unique=True))
    return [
        Entity(key, draw(st.sampled_from(ENTITY_TYPES)), draw(st.text(ALPHABET, min_size=1, max_size=8)))
        for key in keys
    ]


def query_texts(catalogue: list[Entity]) -> st.SearchStrategy[str]:
    """Pieces of keys and names (often matching, in any case), or any text of the alphabet."""
    texts = [text for entity in catalogue for text in (entity.key, entity.name)]

    @st.composite
    def piece(draw: st.DrawFn) -> str:
        text = draw(st.sampled_from(texts))
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        chosen = text[start:end]
        return chosen.translate(ASCII_UPPER) if draw(st.booleans()) else chosen

    return piece() | st.text(ALPHABET, min_size=1, max_size=4)


def expected(catalogue: list[Entity], query: str, types: list[str] | None, first: int) -> list[str]:
    """Exact key, then key or name prefix, then (from a trigram up) substring; ties by key."""
    folded = query.strip().lower()  # the alphabet's one letter beyond ASCII is lower case already
    if not folded:
        return []
    ranked = []
    for entity in catalogue:
        if types is not None and entity.type not in types:
            continue
        key, name = entity.key.lower(), entity.name.lower()
        if key == folded:
            ranked.append((0, entity.key))
        elif key.startswith(folded) or name.startswith(folded):
            ranked.append((1, entity.key))
        elif len(folded) >= TRIGRAM and (folded in key or folded in name):
            ranked.append((2, entity.key))
    return [key for _, key in sorted(ranked)[:first]]


async def load(engine: AsyncEngine, catalogue: list[Entity]) -> None:
    await load_graph(engine, {entity.key: entity.type for entity in catalogue}, [])
    by_key = entity_table.c.key == bindparam("old_key")
    renamed = update(entity_table).where(by_key).values(name=bindparam("new_name"))
    async with engine.begin() as connection:
        await connection.execute(renamed, [{"old_key": e.key, "new_name": e.name} for e in catalogue])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_search_matches_a_plain_ranking(engine: AsyncEngine, data: st.DataObject) -> None:
    # One database for every example: each example replaces every entity.
    catalogue = data.draw(catalogues())
    await load(engine, catalogue)
    for _ in range(data.draw(st.integers(1, 5))):
        query = data.draw(query_texts(catalogue))
        types = data.draw(st.none() | st.lists(st.sampled_from(ENTITY_TYPES), unique=True, max_size=3))
        first = data.draw(st.integers(0, 5) | st.just(20))
        rows = await search_entities(engine, query, types, first)
        assert [row.key for row in rows] == expected(catalogue, query, types, first), (query, types, first)
