"""`make bench`: run the benchmarks, each a sibling module whose `run()` prints its table.

`python -m tests.bench` runs them all; `python -m tests.bench ingest lineage` runs the ones named.
A new benchmark is a new module here with a `run() -> None`; nothing needs registering.
Benchmarks print figures beside a reference measured in the same run; nothing here asserts times.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path


def benchmarks() -> dict[str, Callable[[], None]]:
    """Every sibling module that has a `run` function, by name, in name order."""
    found: dict[str, Callable[[], None]] = {}
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        run = getattr(importlib.import_module(f"tests.bench.{module.name}"), "run", None)
        if callable(run):
            found[module.name] = run
    return found


def main(names: list[str]) -> None:
    available = benchmarks()
    unknown = [name for name in names if name not in available]
    if unknown:
        raise SystemExit(f"unknown benchmark {unknown[0]!r}; known: {', '.join(available)}")
    for name in names or list(available):
        available[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
