"""The lineage benchmark's outside measurements: the query over HTTP, and Google ML Metadata.

HTTP goes to a real uvicorn serving aigraph on the benchmark's file (the API benchmark's server
helper). ML Metadata runs in a venv of its own (`make bench-mlmd-venv`; its pins clash with ours)
as a subprocess, `_mlmd_lineage.py`, which loads the same graph and times the same walks.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.demo_cache import BENCH_DATA, ROOT, SEED
from tests.bench.http_client import GraphQLClient

MLMD_PYTHON = Path(os.environ.get("AIGRAPH_BENCH_MLMD_PYTHON", ROOT / ".venv-mlmd" / "bin" / "python"))
MLMD_SCRIPT = Path(__file__).with_name("_mlmd_lineage.py")
# Loading the 10000-model graph into ML Metadata takes minutes the first time.
MLMD_TIMEOUT = 3600

# The answer a lineage view asks for: every node with its distance and name, every edge's ends.
LINEAGE_DOCUMENT = """query($key: String!, $direction: LineageDirection!, $depth: Int!, $limit: Int!) {
  lineage(key: $key, direction: $direction, depth: $depth, limit: $limit) {
    nodes { distance entity { key name } }
    edges { kind source { key } target { key } } } }"""


def http_lineage(
    client: GraphQLClient, root: str, direction: str, depth: int, limit: int
) -> tuple[float, dict[str, Any]]:
    """Seconds for one POST of the lineage document, and its `lineage` answer."""
    variables = {"key": root, "direction": direction, "depth": depth, "limit": limit}
    elapsed, body = client.post(LINEAGE_DOCUMENT, variables)
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["lineage"]
    return elapsed, answer


@dataclass(frozen=True)
class MLMetadataTiming:
    p50_ms: float
    nodes: int
    events: int


def ml_metadata_timings(
    source: Path, models: int, walks: list[tuple[str, str, str]], repeats: int, hops: int
) -> dict[tuple[str, str], MLMetadataTiming] | str:
    """p50 of get_lineage_subgraph per (root, direction) of `walks` (root, type, direction).

    On failure, the reason instead, so that the table says why the column is empty.
    """
    if not MLMD_PYTHON.exists():
        return f"no {MLMD_PYTHON.relative_to(ROOT)}: run `make bench-mlmd-venv`"
    store = BENCH_DATA / f"mlmd-lineage-{models}models-seed{SEED}.sqlite"
    command = [str(MLMD_PYTHON), str(MLMD_SCRIPT), str(source), str(store), str(repeats), str(hops)]
    try:
        finished = subprocess.run(
            command,
            input=json.dumps(walks),
            capture_output=True,
            text=True,
            timeout=MLMD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"ML Metadata took over {MLMD_TIMEOUT} s"
    if finished.returncode != 0:
        lines = finished.stderr.strip().splitlines() or [f"exit status {finished.returncode}"]
        return f"ML Metadata failed: {lines[-1]}"
    answers = json.loads(finished.stdout)["answers"]
    return {
        (answer["root"], answer["direction"]): MLMetadataTiming(
            answer["p50_ms"], answer["nodes"], answer["events"]
        )
        for answer in answers
    }
