"""A dict that keeps at most a given number of entries, dropping the oldest first."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class OldestFirst(dict[K, V]):
    """A dict of at most `size` entries: storing a new key when full drops the oldest one first.

    For caches of per-document work: a document in use is worked out again at worst once after an
    eviction, and reading an entry costs what a plain dict lookup costs.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        if len(self) >= self.size and key not in self:
            del self[next(iter(self))]
        super().__setitem__(key, value)
