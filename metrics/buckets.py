"""Buckets: a value falls in the first bucket whose `below` it is under; the last one is open-ended.

The same rule exists twice, in Python (for single results) and as a SQL CASE (for aggregates over
many entities); both compare IEEE doubles with a strict `<`, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, String, case, literal, null
from sqlalchemy.sql.elements import ColumnElement

from graph.vocabulary import NO_DATA

__all__ = ["NO_DATA", "Bucket", "bucket_of", "label_case", "parse_buckets", "score_case"]


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bucket of a definition or framework: values under `below` (None: the open-ended last)."""

    label: str
    below: float | None
    score: float


def parse_buckets(stored: Sequence[dict[str, Any]]) -> tuple[Bucket, ...]:
    """Buckets as stored (already validated at ingest)."""
    return tuple(
        Bucket(
            str(item["label"]),
            None if item.get("below") is None else float(item["below"]),
            float(item["score"]),
        )
        for item in stored
    )


def bucket_of(buckets: Sequence[Bucket], value: float | None) -> Bucket | None:
    """The bucket a value falls in; None when there is no value."""
    if value is None:
        return None
    for bucket in buckets:
        if bucket.below is None or value < bucket.below:
            return bucket
    # Validated buckets always end open-ended; this only guards hand-made lists.
    return buckets[-1] if buckets else None


def _case(buckets: Sequence[Bucket], value: ColumnElement[Any], pick: Any, type_: Any) -> ColumnElement[Any]:
    whens: list[tuple[ColumnElement[bool], Any]] = [(value.is_(None), null())]
    for bucket in buckets[:-1]:
        whens.append((value < literal(bucket.below, Float), literal(pick(bucket), type_)))
    return case(*whens, else_=literal(pick(buckets[-1]), type_))


def score_case(buckets: Sequence[Bucket], value: ColumnElement[Any]) -> ColumnElement[float | None]:
    """SQL: the score of the bucket `value` falls in, NULL for a NULL value."""
    return _case(buckets, value, lambda bucket: bucket.score, Float)


def label_case(
    buckets: Sequence[Bucket], value: ColumnElement[Any], *, no_data: bool = False
) -> ColumnElement[str]:
    """SQL: the label of the bucket `value` falls in; NULL (or NO_DATA when asked) for a NULL value."""
    labelled = _case(buckets, value, lambda bucket: bucket.label, String)
    if no_data:
        return case((value.is_(None), literal(NO_DATA, String)), else_=labelled)
    return labelled
