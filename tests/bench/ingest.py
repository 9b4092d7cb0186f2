"""Ingest benchmark: `aigraph ingest` of a demo file, end to end, beside a bare executemany of its rows.

Both run as processes on the same file in the same run, so the ratio holds on a noisy machine
even when the absolute times do not. Then the peak memory of one ingest of a ten times larger
file (`AIGRAPH_BENCH_INGEST_LARGE_MODELS`, 0 to skip), which must stream.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from graph.db import open_engine
from graph.demo import write_demo_jsonl

MODELS = int(os.environ.get("AIGRAPH_BENCH_MODELS", "1000"))
REPEATS = int(os.environ.get("AIGRAPH_BENCH_REPEATS", "2"))
LARGE_MODELS = int(os.environ.get("AIGRAPH_BENCH_INGEST_LARGE_MODELS", str(10 * MODELS)))
TARGET_RATIO = 1.5
TARGET_LARGE_MEGABYTES = 500
BARE_SCRIPT = Path(__file__).with_name("bare_ingest.py")


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_megabytes: float


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="aigraph-bench-") as folder:
        directory = Path(folder)
        data = directory / "demo.jsonl"
        records = sum(write_demo_jsonl(data, MODELS).values())
        empty = directory / "empty.db"
        asyncio.run(_migrate(empty))
        aigraph = Path(sys.executable).with_name("aigraph")
        ours: list[Timing] = []
        bare: list[Timing] = []
        # Interleaved, so that a burst of load on the machine hits both sides alike.
        for attempt in range(REPEATS):
            # A new file: aigraph creates its schema and built-in metrics inside the timed process.
            target = directory / f"aigraph-{attempt}.db"
            ours.append(
                _timed([str(aigraph), "ingest", str(data), "--database", f"sqlite+aiosqlite:///{target}"])
            )
            # The reference starts from a migrated copy: same tables, indexes and triggers, no rows.
            reference = directory / f"bare-{attempt}.db"
            shutil.copyfile(empty, reference)
            bare.append(_timed([sys.executable, str(BARE_SCRIPT), str(data), str(reference)]))
        _report(records, min(ours, key=lambda t: t.seconds), min(bare, key=lambda t: t.seconds))
        if LARGE_MODELS:
            _large(directory, aigraph)


def _large(directory: Path, aigraph: Path) -> None:
    data = directory / "large.jsonl"
    records = sum(write_demo_jsonl(data, LARGE_MODELS).values())
    target = directory / "large.db"
    timing = _timed([str(aigraph), "ingest", str(data), "--database", f"sqlite+aiosqlite:///{target}"])
    verdict = "met" if timing.peak_megabytes < TARGET_LARGE_MEGABYTES else "not met"
    _print(
        f"ingest: {LARGE_MODELS}-model demo file, {records} records, once",
        records,
        [("aigraph ingest (process start to exit)", timing)],
        f"peak memory (target < {TARGET_LARGE_MEGABYTES} MB: {verdict})",
    )


async def _migrate(path: Path) -> None:
    engine = await open_engine(f"sqlite+aiosqlite:///{path}")
    await engine.dispose()


def _timed(command: list[str]) -> Timing:
    """Wall time from process start to exit, and the process's peak resident memory."""
    # A file, not a pipe: nobody reads while the process runs, and a full pipe would block it.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors.read().decode()}")
    return Timing(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def _report(records: int, ours: Timing, bare: Timing) -> None:
    ratio = ours.seconds / bare.seconds
    verdict = "met" if ratio <= TARGET_RATIO else "not met"
    _print(
        f"ingest: {MODELS}-model demo file, {records} records, best of {REPEATS}",
        records,
        [("aigraph ingest (process start to exit)", ours), ("bare executemany (reference)", bare)],
        f"ratio {ratio:.2f}x the reference (target <= {TARGET_RATIO}x: {verdict})",
    )


def _print(title: str, records: int, timings: list[tuple[str, Timing]], caption: str) -> None:
    table = Table(title=title, caption=caption)
    for column in ("workload", "seconds", "records/s", "peak MB"):
        table.add_column(column, justify="left" if column == "workload" else "right")
    for name, timing in timings:
        rate = records / timing.seconds
        table.add_row(name, f"{timing.seconds:.2f}", f"{rate:,.0f}", f"{timing.peak_megabytes:.0f}")
    Console().print(table)
