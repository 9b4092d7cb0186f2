"""OpenLineage RunEvents as interchange records: job -> ModelSource, run -> WorkflowRun, datasets.

`to_records` folds parsed events (`graph.openlineage_events`) with what the database already holds
about their runs (`Current`), so that events of one run merge in any order. Reading the database
and ingesting is `graph.openlineage_ingest`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.mappings import ToolMapping
from graph.openlineage_events import EventError, LineageEvent
from graph.timestamps import iso

RUN_STATUS = {
    "START": "RUNNING",
    "RUNNING": "RUNNING",
    "COMPLETE": "SUCCEEDED",
    "FAIL": "FAILED",
    "ABORT": "FAILED",
}
TERMINAL = ("COMPLETE", "FAIL", "ABORT")
FINISHED = ("SUCCEEDED", "FAILED")
DEFAULT_INPUT_TYPE = "TrainingDataset"
DEFAULT_OUTPUT_TYPE = "ModelBinary"
NO_MAPPING = ToolMapping("openlineage", {})
Record = dict[str, Any]


@dataclass(slots=True)
class RunState:
    """What the database holds about a run before the events are applied."""

    status: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    datasets: set[str] = field(default_factory=set)
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Current:
    types: dict[str, str] = field(default_factory=dict)  # existing key -> its entity type
    runs: dict[str, RunState] = field(default_factory=dict)
    binary_times: dict[str, datetime] = field(default_factory=dict)  # existing binary -> createdAt


def claimed_types(
    events: Iterable[LineageEvent], mapping: ToolMapping = NO_MAPPING
) -> dict[str, tuple[str, str]]:
    """The entity type the events give every key, with the first event naming it; a clash is an error."""
    claims: dict[str, tuple[str, str]] = {}

    def claim(key: str, entity_type: str, location: str, role: str) -> None:
        first = claims.setdefault(key, (entity_type, location))
        if first[0] != entity_type:
            raise EventError(
                location,
                f"conflict: {key} would be a {entity_type} as {role}, but is a {first[0]} in {first[1]}",
            )

    for event in events:
        claim(event.job.key, "ModelSource", event.location, "a job")
        claim(event.run_id, "WorkflowRun", event.location, "a run")
        for dataset in event.inputs:
            claim(
                dataset.key, mapping.dataset_type(dataset.key, DEFAULT_INPUT_TYPE), event.location, "an input"
            )
        for dataset in event.outputs:
            claim(
                dataset.key,
                mapping.dataset_type(dataset.key, DEFAULT_OUTPUT_TYPE),
                event.location,
                "an output",
            )
    return claims


def to_records(
    events: list[LineageEvent], current: Current, mapping: ToolMapping = NO_MAPPING
) -> list[tuple[str, Record]]:
    """Interchange records (with the location of the event each comes from) for a batch of events."""
    claims = claimed_types(events, mapping)
    for key, (entity_type, location) in claims.items():
        existing = current.types.get(key)
        if existing is not None and existing != entity_type:
            raise EventError(
                location,
                f"conflict: {key} already exists as a {existing}; this event would make it a {entity_type}",
            )
    ordered = sorted(events, key=lambda event: event.event_time)
    first_seen: dict[str, datetime] = {}
    for event in ordered:
        for key in (event.job.key, event.run_id, *(d.key for d in (*event.inputs, *event.outputs))):
            first_seen.setdefault(key, event.event_time)
    records: dict[str, Record] = {}
    for event in ordered:
        _job_and_datasets(records, event, claims)
    for run_id in dict.fromkeys(event.run_id for event in ordered):
        runs_events = [event for event in ordered if event.run_id == run_id]
        records[run_id] = _run(runs_events, current.runs.get(run_id), claims)
    _binaries(records, ordered, claims, current)
    for key, record in records.items():
        if key not in current.types:
            # A new entity dates from the first event naming it, not from when the event arrived.
            record.setdefault("created_at", iso(first_seen[key]))
    return [(claims[key][1], record) for key, record in records.items()]


def _job_and_datasets(
    records: dict[str, Record], event: LineageEvent, claims: dict[str, tuple[str, str]]
) -> None:
    job = records.setdefault(
        event.job.key,
        {"type": "ModelSource", "key": event.job.key, "name": event.job.name, "system": event.job.namespace},
    )
    if event.repository is not None:
        job["repository"] = event.repository
    for dataset in (*event.inputs, *event.outputs):
        records.setdefault(
            dataset.key,
            {
                "type": claims[dataset.key][0],
                "key": dataset.key,
                "name": dataset.name,
                "system": dataset.namespace,
            },
        )


def _run(events: list[LineageEvent], state: RunState | None, claims: dict[str, tuple[str, str]]) -> Record:
    """The run after its events, in time order, on top of what the database holds about it."""
    state = state or RunState()
    last = events[-1]
    record: Record = {
        "type": "WorkflowRun",
        "key": last.run_id,
        "name": last.job.name,
        "system": last.job.namespace,
    }
    record["model_source"] = last.job.key
    started = [event.event_time for event in events if event.event_type in ("START", "RUNNING")]
    if state.started_at is not None:
        started.append(state.started_at)
    status, finished_at = state.status, state.finished_at
    for event in events:
        if event.event_type in TERMINAL:
            # The newest terminal event decides; an older one arriving late changes nothing.
            if status not in FINISHED or finished_at is None or event.event_time >= finished_at:
                status, finished_at = RUN_STATUS[event.event_type], event.event_time
        elif event.event_type != "OTHER" and status not in FINISHED:
            status = "RUNNING"  # a late START never downgrades a finished run
    if status is not None:
        record["status"] = status
    if started:
        record["started_at"] = iso(min(started))
    if finished_at is not None:
        record["finished_at"] = iso(finished_at)
    inputs = {d.key for event in events for d in event.inputs}
    outputs = {d.key for event in events for d in event.outputs}
    # Inputs accumulate: a COMPLETE event that omits them does not drop the ones START sent.
    datasets = state.datasets | {key for key in inputs if claims[key][0] == "TrainingDataset"}
    if datasets:
        record["datasets"] = sorted(datasets)
    # The graph has no edge from a run to other kinds of dataset: the run lists them instead.
    others = {
        "other_inputs": {key for key in inputs if claims[key][0] != "TrainingDataset"},
        "other_outputs": {key for key in outputs if claims[key][0] != "ModelBinary"},
    }
    if any(others.values()):
        properties = dict(state.properties)
        for name, keys in others.items():
            listed = properties.get(name)
            merged = set(listed if isinstance(listed, list) else []) | keys
            if merged:
                properties[name] = sorted(merged)
        record["properties"] = properties
    return record


def _binaries(
    records: dict[str, Record],
    ordered: list[LineageEvent],
    claims: dict[str, tuple[str, str]],
    current: Current,
) -> None:
    """Each output binary belongs to the run of the newest event that wrote it, and dates from it.

    A failed run does not take over a binary that exists: a failed retraining must not make the
    model look freshly trained.
    """
    for event in ordered:
        for dataset in event.outputs:
            if claims[dataset.key][0] != "ModelBinary":
                continue
            known = current.binary_times.get(dataset.key)
            if known is not None and RUN_STATUS.get(event.event_type) == "FAILED":
                continue
            if known is None or event.event_time >= known:
                record = records[dataset.key]
                record["run"] = event.run_id
                record["created_at"] = iso(event.event_time)
