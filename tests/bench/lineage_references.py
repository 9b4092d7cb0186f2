"""The lineage benchmark's outside measurements: the query over HTTP, and Google ML Metadata.

HTTP goes to a real uvicorn serving aigraph on the benchmark's file (the API benchmark's server
helper). ML Metadata runs in a venv of its own (`make bench-mlmd-venv`; its pins clash with ours)
as a subprocess, `_mlmd_lineage.py`, which loads the same graph and times each walk it is sent,
so its walks take turns with ours.
"""

from __future__ import annotations

import json
import os
import select
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
class MLMetadataWalk:
    seconds: float
    nodes: int
    events: int


class MLMetadata:
    """Google ML Metadata serving timed walks from its own venv, on a store loaded from the same graph.

    Open it with `start`, which returns the reason instead when ML Metadata cannot run here, so
    that the table can say why its column is empty.
    """

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    @classmethod
    def start(cls, source: Path, models: int, hops: int) -> MLMetadata | str:
        if not MLMD_PYTHON.exists():
            return f"no {MLMD_PYTHON.relative_to(ROOT)}: run `make bench-mlmd-venv`"
        store = BENCH_DATA / f"mlmd-lineage-{models}models-seed{SEED}.sqlite"
        command = [str(MLMD_PYTHON), str(MLMD_SCRIPT), str(source), str(store), str(hops)]
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], MLMD_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            _, errors = process.communicate()
            reason = errors.strip().splitlines()[-1:] or [f"no answer within {MLMD_TIMEOUT} s"]
            return f"ML Metadata failed: {reason[0]}"
        return cls(process)

    def walk(self, root: str, entity_type: str, direction: str) -> MLMetadataWalk:
        """One timed `get_lineage_subgraph`: its own seconds, measured inside ML Metadata's process."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps([root, entity_type, direction]) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return MLMetadataWalk(answer["seconds"], answer["nodes"], answer["events"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)
