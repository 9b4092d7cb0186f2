"""Interchange records for metrics: definitions with buckets, and framework trees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import vocabulary as vocab
from graph.records import (
    DefinitionRecord,
    FrameworkRecord,
    RecordError,
    boolean,
    json_object,
    key_of,
    number,
    one_of,
    text,
)

DEFINITION_FIELDS = {
    "name": text,
    "description": text,
    "category": one_of(*vocab.METRIC_CATEGORIES),
    "entity_type": one_of(*vocab.ENTITY_TYPES),
    "unit": text,
    "higher_is_better": boolean,
}
REQUIRED_WHEN_NEW = ("name", "category", "entity_type", "buckets")
FRAMEWORK_REQUIRED_WHEN_NEW = ("name", "entity_type", "buckets", "root")


def parse_buckets(where: str, value: Any) -> list[dict[str, Any]]:
    """Ordered buckets: `below` strictly increasing, only the last open-ended, scores in [0, 1]."""
    if not isinstance(value, list) or not value:
        raise RecordError(f"field '{where}' must be a non-empty list of buckets")
    buckets: list[dict[str, Any]] = []
    labels: set[str] = set()
    previous: float | None = None
    for position, item in enumerate(value):
        here = f"{where}[{position}]"
        if not isinstance(item, dict):
            raise RecordError(f"field '{here}' must be an object with label, below and score")
        unknown = set(item) - {"label", "below", "score"}
        if unknown:
            raise RecordError(f"field '{here}' has unknown field '{sorted(unknown)[0]}'")
        label = item.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(f"field '{here}.label' must be a non-empty string")
        if label == vocab.NO_DATA:
            raise RecordError(f"field '{here}.label' cannot be {vocab.NO_DATA}: that label is reserved")
        if label in labels:
            raise RecordError(f"field '{here}.label' repeats the label {label!r}")
        labels.add(label)
        score = number(f"{here}.score", item.get("score"))
        if score is None or not 0 <= score <= 1:
            raise RecordError(f"field '{here}.score' must be a number between 0 and 1")
        below = number(f"{here}.below", item.get("below"))
        last = position == len(value) - 1
        if below is None and not last:
            raise RecordError(f"field '{here}.below' is required: only the last bucket is open-ended")
        if below is not None and last:
            raise RecordError(f"field '{here}.below' must be absent: the last bucket is open-ended")
        if below is not None and previous is not None and below <= previous:
            raise RecordError(f"buckets are not ordered: '{here}.below' ({below:g}) must exceed {previous:g}")
        previous = below
        bucket: dict[str, Any] = {"label": label, "score": score}
        if below is not None:
            bucket["below"] = below
        buckets.append(bucket)
    return buckets


def parse_definition(raw: Mapping[str, Any]) -> tuple[DefinitionRecord, list[str]]:
    record = DefinitionRecord(key_of("key", raw.get("key")), {})
    ignored: list[str] = []
    for name, value in raw.items():
        if name in ("type", "key"):
            continue
        if name == "buckets":
            record.fields["buckets"] = parse_buckets("buckets", value)
        elif name in DEFINITION_FIELDS:
            record.fields[name] = DEFINITION_FIELDS[name](name, value)
        else:
            ignored.append(name)
    for name in ("name", "category"):
        if name in record.fields and record.fields[name] is None:
            raise RecordError(f"field '{name}' cannot be null")
    return record, ignored


def parse_framework(raw: Mapping[str, Any]) -> tuple[FrameworkRecord, list[str]]:
    record = FrameworkRecord(key_of("key", raw.get("key")), {})
    ignored: list[str] = []
    for name, value in raw.items():
        if name in ("type", "key"):
            continue
        if name in ("name", "description"):
            record.fields[name] = text(name, value)
        elif name == "entity_type":
            record.fields[name] = one_of(*vocab.ENTITY_TYPES)(name, value)
        elif name == "buckets":
            record.fields[name] = parse_buckets("buckets", value)
        elif name == "root":
            record.fields[name] = parse_score_node("root", value)
        else:
            ignored.append(name)
    for name in ("name", "entity_type", "root"):
        if name in record.fields and record.fields[name] is None:
            raise RecordError(f"field '{name}' cannot be null")
    return record, ignored


def parse_score_node(where: str, value: Any) -> dict[str, Any]:
    """A framework node: an inner node aggregates `children`, a leaf names a `metric`."""
    node = json_object(where, value)
    if node is None:
        raise RecordError(f"field '{where}' must be a JSON object")
    allowed = {"name", "weight", "aggregate", "children", "metric", "via", "reduce"}
    unknown = set(node) - allowed
    if unknown:
        raise RecordError(f"field '{where}' has unknown field '{sorted(unknown)[0]}'")
    name = node.get("name")
    if not isinstance(name, str) or not name:
        raise RecordError(f"field '{where}.name' must be a non-empty string")
    weight = number(f"{where}.weight", 1 if node.get("weight") is None else node["weight"])
    if weight is None or weight <= 0:
        raise RecordError(f"field '{where}.weight' must be greater than 0")
    result: dict[str, Any] = {"name": name, "weight": weight}
    has_children, has_metric = "children" in node, "metric" in node
    if has_children == has_metric:
        raise RecordError(f"field '{where}' needs exactly one of 'children' or 'metric'")
    if has_children:
        children = node["children"]
        if not isinstance(children, list) or not children:
            raise RecordError(f"field '{where}.children' must be a non-empty list")
        for leaf_only in ("via", "reduce"):
            if leaf_only in node:
                raise RecordError(f"field '{where}.{leaf_only}' belongs on a leaf with a metric")
        result["aggregate"] = one_of(*vocab.AGGREGATES)(f"{where}.aggregate", node.get("aggregate") or "MEAN")
        result["children"] = [
            parse_score_node(f"{where}.children[{index}]", child) for index, child in enumerate(children)
        ]
        return result
    if "aggregate" in node:
        raise RecordError(f"field '{where}.aggregate' belongs on a node with children")
    result["metric"] = key_of(f"{where}.metric", node["metric"])
    result["via"] = one_of(*vocab.VIAS)(f"{where}.via", node.get("via") or "SELF")
    result["reduce"] = one_of(*vocab.REDUCTIONS)(f"{where}.reduce", node.get("reduce") or "WORST")
    return result


def framework_leaves(node: dict[str, Any], where: str = "root") -> list[tuple[str, dict[str, Any]]]:
    """Every leaf of a parsed framework tree with its path, in tree order."""
    if "children" not in node:
        return [(where, node)]
    leaves: list[tuple[str, dict[str, Any]]] = []
    for index, child in enumerate(node["children"]):
        leaves.extend(framework_leaves(child, f"{where}.children[{index}]"))
    return leaves
