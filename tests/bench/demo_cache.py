"""Demo graphs for benchmarks, generated once and kept under bench-data/ (gitignored).

Generating and ingesting the 10000-model graph takes minutes, so each database file is keyed by
what determines its content (model count, seed, record filter) and reused by later runs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.db import open_engine
from graph.demo import demo_records
from graph.ingest import ingest
from graph.sources import record_list

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATA = Path(os.environ.get("AIGRAPH_BENCH_DATA", ROOT / "bench-data"))
SEED = 7


def cached_demo(models: int, label: str, keep: Callable[[dict[str, Any]], bool]) -> Path:
    """The SQLite file of the `models`-model demo graph (records that `keep` accepts), made if missing.

    `label` names the filter in the file name, so differently filtered graphs never share a file.
    """
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    path = BENCH_DATA / f"demo-{label}-{models}models-seed{SEED}.db"
    if path.exists():
        return path
    # Built under a temporary name and renamed at the end: an interrupted build is never reused.
    partial = path.with_suffix(f".partial{os.getpid()}.db")
    asyncio.run(_build(partial, models, keep))
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    return path


async def _build(path: Path, models: int, keep: Callable[[dict[str, Any]], bool]) -> None:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    engine = await open_engine(f"sqlite+aiosqlite:///{path}")
    try:
        records = [record for record in demo_records(models, SEED) if keep(record)]
        await ingest(engine, record_list(records))
    finally:
        # Disposing checkpoints the WAL into the main file, so the file alone is the database.
        await engine.dispose()
