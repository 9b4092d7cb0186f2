"""OpenLineage RunEvents as they arrive: `parse_events` validates a request body (one event or an
array of them) into `LineageEvent`s, naming the event and the field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.records import MAX_KEY_LENGTH, utf8_longer
from graph.timestamps import parse_timestamp

EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")


class EventError(ValueError):
    """An event is invalid or conflicts with the graph; nothing of the request is written."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DatasetRef:
    namespace: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class LineageEvent:
    location: str
    event_type: str
    event_time: datetime
    run_id: str
    job: DatasetRef  # a job is named like a dataset: namespace and name
    inputs: tuple[DatasetRef, ...]
    outputs: tuple[DatasetRef, ...]
    repository: str | None = None


def parse_events(body: Any) -> list[LineageEvent]:
    """One RunEvent object or an array of them; EventError names the event and the field at fault."""
    if isinstance(body, dict):
        return [_event("event", body)]
    if isinstance(body, list):
        return [_event(f"events[{index}]", item) for index, item in enumerate(body)]
    raise EventError("body", "expected an OpenLineage RunEvent object or an array of them")


def _event(location: str, raw: Any) -> LineageEvent:
    if not isinstance(raw, dict):
        raise EventError(location, "an event must be a JSON object")
    if "run" not in raw:
        raise EventError(location, "field 'run' is required (only RunEvents are accepted)")
    run, job = _object(location, raw, "run"), _object(location, raw, "job")
    event_type = raw.get("eventType") or "OTHER"
    if event_type not in EVENT_TYPES:
        raise EventError(
            location, f"field 'eventType' must be one of {', '.join(EVENT_TYPES)}, got {event_type!r}"
        )
    moment = raw.get("eventTime")
    if not isinstance(moment, str) or "t" not in moment.lower():
        raise EventError(location, "field 'eventTime' must be an ISO 8601 date-time string")
    try:
        event_time = parse_timestamp(moment)
    except (ValueError, OverflowError):
        raise EventError(
            location, f"field 'eventTime' is not a valid ISO 8601 date-time: {moment!r}"
        ) from None
    run_id = _text(location, run, "run.runId")
    repository = _repository(job)
    return LineageEvent(
        location,
        event_type,
        event_time,
        run_id,
        _dataset(location, "job", job),
        _datasets(location, raw, "inputs"),
        _datasets(location, raw, "outputs"),
        repository,
    )


def _repository(job: dict[str, Any]) -> str | None:
    """Where the job's code lives, from its sourceCodeLocation facet when it has one."""
    facets = job.get("facets")
    code = facets.get("sourceCodeLocation") if isinstance(facets, dict) else None
    if not isinstance(code, dict):
        return None
    url = code.get("url") or code.get("repoUrl")
    return url if isinstance(url, str) else None


def _object(location: str, raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise EventError(location, f"field '{name}' must be an object")
    return value


def _text(location: str, raw: dict[str, Any], path: str) -> str:
    value = raw.get(path.rsplit(".", 1)[-1])
    if not isinstance(value, str) or not value:
        raise EventError(location, f"field '{path}' must be a non-empty string")
    if utf8_longer(value, MAX_KEY_LENGTH):
        raise EventError(location, f"field '{path}' is longer than {MAX_KEY_LENGTH} bytes in UTF-8")
    return value


def _dataset(location: str, path: str, raw: dict[str, Any]) -> DatasetRef:
    reference = DatasetRef(_text(location, raw, f"{path}.namespace"), _text(location, raw, f"{path}.name"))
    if utf8_longer(reference.key, MAX_KEY_LENGTH):
        raise EventError(location, f"'{path}' gives a key longer than {MAX_KEY_LENGTH} bytes in UTF-8")
    return reference


def _datasets(location: str, raw: dict[str, Any], name: str) -> tuple[DatasetRef, ...]:
    value = raw.get(name)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EventError(location, f"field '{name}' must be a list of datasets")
    found: list[DatasetRef] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise EventError(location, f"field '{name}[{index}]' must be an object with namespace and name")
        found.append(_dataset(location, f"{name}[{index}]", item))
    return tuple(found)
