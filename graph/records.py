"""Interchange records (JSON Lines v1): one record in, a validated, normalised record out.

Validation here needs nothing but the record itself; what depends on the database or the rest
of the batch (references, owners, key clashes) is checked by `graph.ingest`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph import vocabulary as vocab
from graph.timestamps import parse_timestamp, to_micros

# Keys and entity names are indexed, and PostgreSQL refuses an index entry over 2704 bytes:
# bounded in UTF-8 bytes, one of each plus the type fits however many bytes a character takes.
MAX_KEY_LENGTH = 1024
MAX_NAME_LENGTH = 1024


def utf8_longer(value: str, limit: int) -> bool:
    """Whether the text takes more than `limit` bytes in UTF-8 (encoded only when it might)."""
    # No character takes more than 4 bytes (a lone surrogate, passed through, takes 3).
    return len(value) * 4 > limit and len(value.encode("utf-8", "surrogatepass")) > limit


class RecordError(ValueError):
    """A record is invalid; the message says why, the caller adds where."""


@dataclass(frozen=True, slots=True)
class Link:
    """One upstream neighbour named by a reference field (DEPLOYED_TO entries carry traffic)."""

    key: str
    traffic_percent: float | None = None
    role: str | None = None


@dataclass(slots=True)
class EntityRecord:
    type: str
    key: str
    fields: dict[str, Any]  # column name -> value, only the fields the record carries
    owner: str | None
    has_owner: bool
    links: dict[str, list[Link]]  # edge kind -> upstream neighbours, only the lists the record carries
    properties: dict[str, Any] | None  # the record's explicit `properties`, None when absent
    extra: dict[str, Any]  # unknown top-level fields, kept in properties


@dataclass(slots=True)
class TeamRecord:
    key: str
    name: str | None
    parent: str | None
    has_parent: bool
    properties: dict[str, Any] | None
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class DefinitionRecord:
    key: str
    fields: dict[str, Any]


@dataclass(slots=True)
class ValueRecord:
    metric: str
    entity: str
    value: float
    observed_at: datetime
    observed_micros: int  # the identity's instant, computed once


@dataclass(slots=True)
class FrameworkRecord:
    key: str
    fields: dict[str, Any]


Record = EntityRecord | TeamRecord | DefinitionRecord | ValueRecord | FrameworkRecord
Check = Callable[[str, Any], Any]


def text(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RecordError(f"field '{name}' must be a string, got {_json_type(value)}")


def timestamp(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"field '{name}' must be an ISO 8601 timestamp string, got {_json_type(value)}")
    try:
        return parse_timestamp(value)
    except (ValueError, OverflowError):
        raise RecordError(f"field '{name}' is not a valid ISO 8601 timestamp: {value!r}") from None


def integer(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) >= 2**63:
        # The JSON parser hands integers beyond 64 bits over as floats.
        raise RecordError(f"field '{name}' is out of range for a 64-bit integer")
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"field '{name}' must be an integer, got {_json_type(value)}")
    if not -(2**63) <= value < 2**63:
        raise RecordError(f"field '{name}' is out of range for a 64-bit integer")
    return value


def number(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"field '{name}' must be a number, got {_json_type(value)}")
    result = float(value)
    if not math.isfinite(result):
        raise RecordError(f"field '{name}' must be a finite number")
    return result


def boolean(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RecordError(f"field '{name}' must be true or false, got {_json_type(value)}")


def one_of(*allowed: str) -> Check:
    def check(name: str, value: Any) -> str | None:
        if value is None:
            return None
        if value not in allowed:
            raise RecordError(f"field '{name}' must be one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    return check


def json_object(name: str, value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    raise RecordError(f"field '{name}' must be a JSON object, got {_json_type(value)}")


def key_of(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise RecordError(f"field '{name}' must be a non-empty string")
    if utf8_longer(value, MAX_KEY_LENGTH):
        raise RecordError(f"field '{name}' is longer than {MAX_KEY_LENGTH} bytes in UTF-8")
    return value


def entity_name(name: str, value: Any) -> str | None:
    checked = text(name, value)
    if checked is not None and utf8_longer(checked, MAX_NAME_LENGTH):
        raise RecordError(f"field '{name}' is longer than {MAX_NAME_LENGTH} bytes in UTF-8")
    return checked


COMMON_FIELDS: dict[str, Check] = {"name": entity_name, "system": text, "created_at": timestamp}
OWN_FIELDS: dict[str, dict[str, Check]] = {
    "FeatureSource": {"kind": one_of(*vocab.FEATURE_SOURCE_KINDS), "uri": text},
    "LogicalFeature": {"description": text},
    "TrainingDataset": {"row_count": integer},
    "ModelSource": {"purpose": text, "repository": text},
    "WorkflowRun": {"status": one_of(*vocab.RUN_STATUSES), "started_at": timestamp, "finished_at": timestamp},
    "ModelBinary": {"version": text},
    "ModelDeployment": {
        "environment": text,
        "region": text,
        "status": one_of(*vocab.DEPLOYMENT_STATUSES),
        "started_at": timestamp,
    },
}


def parse_entity(raw: Mapping[str, Any]) -> EntityRecord:
    entity_type = str(raw["type"])
    own = OWN_FIELDS[entity_type]
    references = {reference.field: reference for reference in vocab.REFERENCES[entity_type]}
    record = EntityRecord(entity_type, key_of("key", raw.get("key")), {}, None, False, {}, None, {})
    for name, value in raw.items():
        if name in ("type", "key"):
            continue
        if name == "owner":
            record.owner, record.has_owner = (None if value is None else key_of(name, value)), True
        elif name == "properties":
            record.properties = json_object(name, value) or {}
        elif name in COMMON_FIELDS or name in own:
            record.fields[name] = (COMMON_FIELDS.get(name) or own[name])(name, value)
        elif name in references:
            reference = references[name]
            record.links[reference.kind] = _links(reference, value)
        else:
            record.extra[name] = value
    if "name" in record.fields and record.fields["name"] is None:
        raise RecordError("field 'name' cannot be null")
    if "created_at" in record.fields and record.fields["created_at"] is None:
        raise RecordError("field 'created_at' cannot be null")
    return record


def _links(reference: vocab.Reference, value: Any) -> list[Link]:
    if not reference.many:
        return [] if value is None else [Link(key_of(reference.field, value))]
    if not isinstance(value, list):
        raise RecordError(f"field '{reference.field}' must be a list of keys, got {_json_type(value)}")
    links: dict[str, Link] = {}
    deployments = reference.kind == "DEPLOYED_TO"
    for position, item in enumerate(value):
        if not deployments and type(item) is str and item and not utf8_longer(item, MAX_KEY_LENGTH):
            link = Link(item)  # the common case, checked without building a location
        else:
            where = f"{reference.field}[{position}]"
            link = _deployment_link(where, item) if deployments else Link(key_of(where, item))
        if link.key in links and links[link.key] != link:
            raise RecordError(
                f"field '{reference.field}[{position}]' lists {link.key} twice with different content"
            )
        links[link.key] = link
    return list(links.values())


def _deployment_link(where: str, item: Any) -> Link:
    if isinstance(item, str):
        return Link(key_of(where, item), None, "CONTROL")
    if not isinstance(item, dict):
        raise RecordError(f"field '{where}' must be an object with 'binary', got {_json_type(item)}")
    unknown = set(item) - {"binary", "traffic_percent", "role"}
    if unknown:
        raise RecordError(f"field '{where}' has unknown field '{sorted(unknown)[0]}'")
    if "binary" not in item:
        raise RecordError(f"field '{where}' is missing required field 'binary'")
    traffic = number(f"{where}.traffic_percent", item.get("traffic_percent"))
    if traffic is not None and not 0 <= traffic <= 100:
        raise RecordError(f"field '{where}.traffic_percent' must be between 0 and 100, got {traffic:g}")
    role = one_of(*vocab.DEPLOYMENT_ROLES)(f"{where}.role", item.get("role")) or "CONTROL"
    return Link(key_of(f"{where}.binary", item["binary"]), traffic, role)


def parse_team(raw: Mapping[str, Any]) -> TeamRecord:
    record = TeamRecord(key_of("key", raw.get("key")), None, None, False, None)
    for name, value in raw.items():
        if name in ("type", "key"):
            continue
        if name == "name":
            record.name = text(name, value)
            if record.name is None:
                raise RecordError("field 'name' cannot be null")
        elif name == "parent":
            record.parent, record.has_parent = (None if value is None else key_of(name, value)), True
        elif name == "created_at":
            record.created_at = timestamp(name, value)
            if record.created_at is None:
                raise RecordError("field 'created_at' cannot be null")
        elif name == "properties":
            record.properties = json_object(name, value) or {}
        else:
            record.extra[name] = value
    return record


def parse_value(raw: Mapping[str, Any]) -> ValueRecord:
    metric, entity, value = raw.get("metric"), raw.get("entity"), raw.get("value")
    observed = raw.get("observed_at")
    # Most of a batch's records are values, nearly all of them plain: checked in one expression
    # (keys of at most a quarter of the limit cannot take more of it in UTF-8).
    if (
        type(metric) is str
        and type(entity) is str
        and type(value) is float
        and type(observed) is str
        and 0 < len(metric) <= MAX_KEY_LENGTH // 4
        and 0 < len(entity) <= MAX_KEY_LENGTH // 4
        and math.isfinite(value)
    ):
        observed_at = timestamp("observed_at", observed)
        assert observed_at is not None
        return ValueRecord(metric, entity, value, observed_at, to_micros(observed_at))
    return _checked_value(raw)


def _checked_value(raw: Mapping[str, Any]) -> ValueRecord:
    for name in ("metric", "entity", "value", "observed_at"):
        if raw.get(name) is None:
            raise RecordError(f"missing required field '{name}'")
    value = number("value", raw["value"])
    observed_at = timestamp("observed_at", raw["observed_at"])
    assert value is not None and observed_at is not None
    return ValueRecord(
        key_of("metric", raw["metric"]),
        key_of("entity", raw["entity"]),
        value,
        observed_at,
        to_micros(observed_at),
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
