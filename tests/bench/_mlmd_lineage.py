"""Google ML Metadata's lineage query on an aigraph demo graph; run inside .venv-mlmd, not imported.

ml-metadata pins versions (attrs<24, protobuf<5) that clash with aigraph's environment, so the
lineage benchmark runs this file as a subprocess under `.venv-mlmd/bin/python`. It needs only the
standard library and ml-metadata: it reads the entity and edge tables of the aigraph SQLite file,
loads them into an ML Metadata store (a SQLite file, cached beside the source), then times
`get_lineage_subgraph` for each walk read as a JSON line from stdin, answering on stdout.

The mapping keeps hops equal. The graph is bipartite between the types that hold data
(FeatureSource, TrainingDataset, ModelSource, ModelBinary -> MLMD artifacts) and the types that
transform it (LogicalFeature, WorkflowRun, ModelDeployment -> MLMD executions): every edge kind
joins one of each. So each aigraph edge is exactly one MLMD event (artifact -> execution is an
INPUT event, execution -> artifact an OUTPUT event), and MLMD counts one hop per event: depth 6
here is `max_num_hops = 6` there, with UPSTREAM/DOWNSTREAM meaning the same thing on both sides.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as mlmd

ARTIFACT_TYPES = ("FeatureSource", "TrainingDataset", "ModelSource", "ModelBinary")
EXECUTION_TYPES = ("LogicalFeature", "WorkflowRun", "ModelDeployment")
BATCH = 5000
DIRECTIONS = {
    "UPSTREAM": mlmd.LineageSubgraphQueryOptions.UPSTREAM,
    "DOWNSTREAM": mlmd.LineageSubgraphQueryOptions.DOWNSTREAM,
    "BOTH": mlmd.LineageSubgraphQueryOptions.BIDIRECTIONAL,
}


def open_store(path: Path) -> metadata_store.MetadataStore:
    config = mlmd.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = mlmd.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


def load(source: Path, target: Path) -> None:
    """Copy the lineage graph of the aigraph file `source` into a new ML Metadata store `target`."""
    store = open_store(target)
    type_ids: dict[str, int] = {}
    for name in ARTIFACT_TYPES:
        type_ids[name] = store.put_artifact_type(mlmd.ArtifactType(name=name))
    for name in EXECUTION_TYPES:
        type_ids[name] = store.put_execution_type(mlmd.ExecutionType(name=name))
    graph = sqlite3.connect(source)
    rows = graph.execute("SELECT id, key, name, type FROM entity ORDER BY id").fetchall()
    mlmd_ids: dict[int, int] = {}
    for names, put, make in (
        (ARTIFACT_TYPES, store.put_artifacts, mlmd.Artifact),
        (EXECUTION_TYPES, store.put_executions, mlmd.Execution),
    ):
        chosen = [row for row in rows if row[3] in names]
        for start in range(0, len(chosen), BATCH):
            batch = chosen[start : start + BATCH]
            nodes = []
            for _, key, name, entity_type in batch:
                node = make(type_id=type_ids[entity_type], name=key)
                node.custom_properties["display_name"].string_value = name
                nodes.append(node)
            for (entity_id, *_), mlmd_id in zip(batch, put(nodes), strict=True):
                mlmd_ids[entity_id] = mlmd_id
    artifacts = {row[0] for row in rows if row[3] in ARTIFACT_TYPES}
    events = []
    for source_id, target_id in graph.execute("SELECT source_id, target_id FROM edge"):
        if source_id in artifacts:
            event = mlmd.Event(type=mlmd.Event.INPUT)
            event.artifact_id, event.execution_id = mlmd_ids[source_id], mlmd_ids[target_id]
        else:
            event = mlmd.Event(type=mlmd.Event.OUTPUT)
            event.execution_id, event.artifact_id = mlmd_ids[source_id], mlmd_ids[target_id]
        events.append(event)
    for start in range(0, len(events), BATCH):
        store.put_events(events[start : start + BATCH])
    graph.close()


def lineage(store: metadata_store.MetadataStore, root: str, kind: str, direction: str, hops: int) -> Any:
    options = mlmd.LineageSubgraphQueryOptions(max_num_hops=hops, direction=DIRECTIONS[direction])
    # Names are unique per type; the type narrows the filter to one node, as a key does in aigraph.
    starting = options.starting_artifacts if kind in ARTIFACT_TYPES else options.starting_executions
    starting.filter_query = f"type = '{kind}' AND name = '{root}'"
    return store.get_lineage_subgraph(options)


def main() -> None:
    """Load (or reuse) the store, say so, then answer one timed walk per line of stdin.

    Each line is JSON [root, type, direction]; each answer a JSON line with the seconds that
    `get_lineage_subgraph` took and the size of its answer. The benchmark sends walks one at a
    time, in turn with its own measurements, so that load on the machine hits both alike.
    """
    source, target, hops = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    started = time.perf_counter()
    if not target.exists():
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        load(source, partial)
        partial.rename(target)
    store = open_store(target)
    print(json.dumps({"load_seconds": time.perf_counter() - started}), flush=True)
    for line in sys.stdin:
        root, kind, direction = json.loads(line)
        begun = time.perf_counter()
        graph = lineage(store, root, kind, direction, hops)
        seconds = time.perf_counter() - begun
        # The root is among MLMD's nodes; aigraph's `nodes` leave it out.
        nodes = len(graph.artifacts) + len(graph.executions) - 1
        print(json.dumps({"seconds": seconds, "nodes": nodes, "events": len(graph.events)}), flush=True)


if __name__ == "__main__":
    main()
