"""The bounded dict behind the per-document caches: oldest out first, never over its size."""

from __future__ import annotations

from api.bounded_cache import OldestFirst


def test_a_new_key_when_full_drops_the_oldest() -> None:
    entries: OldestFirst[str, int] = OldestFirst(2)
    entries["a"] = 1
    entries["b"] = 2
    entries["c"] = 3
    assert list(entries.items()) == [("b", 2), ("c", 3)]


def test_replacing_a_key_when_full_drops_nothing() -> None:
    entries: OldestFirst[str, int] = OldestFirst(2)
    entries["a"] = 1
    entries["b"] = 2
    entries["a"] = 10
    assert entries == {"a": 10, "b": 2}


def test_it_never_holds_more_than_its_size() -> None:
    entries: OldestFirst[int, int] = OldestFirst(3)
    for number in range(100):
        entries[number] = number
        assert len(entries) <= 3
    assert list(entries) == [97, 98, 99]
