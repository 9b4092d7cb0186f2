"""`make bench`: run the benchmarks, each a sibling module whose `run()` prints its table.

`python -m tests.bench` runs them all; `python -m tests.bench ingest` runs the ones named.
Benchmarks print figures beside a reference measured in the same run; nothing here asserts times.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("ingest",)


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
        importlib.import_module(f"tests.bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
