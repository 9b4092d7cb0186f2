"""Demo metrics: the metric definitions, the default framework and the observed values of the demo graph.

Only ingested metrics live here; derived ones (`retraining_recency_days`, `deployed_binary_age_days`,
`has_owner`) are computed from the graph and never appear as records.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from graph.defaults import DEFAULT_DEFINITIONS, MODEL_MATURITY
from graph.timestamps import iso

Record = dict[str, Any]


def stamp(moment: datetime) -> str:
    """A timestamp as the interchange format writes it, to the second."""
    return iso(moment.replace(microsecond=0))


def _bucket(label: str, score: float, below: float | None = None) -> dict[str, Any]:
    return (
        {"label": label, "score": score}
        if below is None
        else {"label": label, "below": below, "score": score}
    )


def _definition(
    key: str,
    name: str,
    category: str,
    entity_type: str,
    unit: str,
    higher_is_better: bool,
    buckets: list[dict[str, Any]],
    description: str | None,
) -> Record:
    record: Record = {"type": "MetricDefinition", "key": key, "name": name}
    if description is not None:
        record["description"] = description
    return record | {
        "category": category,
        "entity_type": entity_type,
        "unit": unit,
        "higher_is_better": higher_is_better,
        "buckets": buckets,
    }


# At least one definition per category. `accuracy` and `drift_psi` are the ones the default
# framework names, exactly as aigraph ships them, so a demo over the shipped ones changes nothing.
DEFINITIONS: tuple[Record, ...] = (
    *(copy.deepcopy(record) for record in DEFAULT_DEFINITIONS if record["key"] == "accuracy"),
    _definition(
        "calibration_error", "Expected calibration error", "MODEL", "ModelBinary", "ratio", False,
        [_bucket("GOOD", 1, 0.02), _bucket("FAIR", 0.5, 0.05), _bucket("POOR", 0)],
        "Mean gap between predicted confidence and observed frequency.",
    ),
    _definition(
        "serving_latency_p99_ms", "Serving latency p99", "ECOSYSTEM", "ModelDeployment", "ms", False,
        [_bucket("FAST", 1, 50), _bucket("OK", 0.5, 200), _bucket("SLOW", 0)],
        "99th percentile of inference latency.",
    ),
    _definition(
        "feature_freshness_hours", "Feature data freshness", "ECOSYSTEM", "FeatureSource", "hours", False,
        [_bucket("CURRENT", 1, 24), _bucket("LAGGING", 0.5, 72), _bucket("STALE", 0)],
        "Hours since the source last received data.",
    ),
    *(copy.deepcopy(record) for record in DEFAULT_DEFINITIONS if record["key"] == "drift_psi"),
    _definition(
        "demographic_parity_gap", "Demographic parity gap", "FAIRNESS", "ModelBinary", "ratio", False,
        [_bucket("EQUITABLE", 1, 0.05), _bucket("MODERATE", 0.5, 0.1), _bucket("BIASED", 0)],
        "Largest difference in positive-prediction rate between groups.",
    ),
    _definition(
        "documentation_coverage", "Documentation coverage", "GOVERNANCE", "ModelSource", "ratio", True,
        [_bucket("MISSING", 0, 0.5), _bucket("PARTIAL", 0.5, 0.9), _bucket("COMPLETE", 1)],
        "Share of the model card's required sections that are filled in.",
    ),
)  # fmt: skip


def metric_records() -> Iterator[Record]:
    """The definitions and the default framework, as fresh copies the caller may keep."""
    for definition in DEFINITIONS:
        yield copy.deepcopy(definition)
    yield copy.deepcopy(MODEL_MATURITY)


def _value(metric: str, entity: str, value: float, observed_at: datetime) -> Record:
    return {
        "type": "MetricValue",
        "metric": metric,
        "entity": entity,
        "value": round(value, 4),
        "observed_at": stamp(observed_at),
    }


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def binary_values(
    rng: random.Random, key: str, created: datetime, quality: float, now: datetime
) -> Iterator[Record]:
    """Evaluation right after training, then monthly re-evaluations that see accuracy decay."""
    evaluated = created + timedelta(hours=1)
    accuracy = _clip(quality + rng.gauss(0, 0.015), 0.5, 0.995)
    for _ in range(rng.randint(2, 3)):
        if evaluated > now:
            break
        yield _value("accuracy", key, accuracy, evaluated)
        accuracy = _clip(accuracy - abs(rng.gauss(0.01, 0.01)), 0.5, 0.995)
        evaluated += timedelta(days=30, minutes=rng.randint(0, 600))
    if created + timedelta(hours=3) <= now:
        yield _value("calibration_error", key, abs(rng.gauss(0.025, 0.015)), created + timedelta(hours=2))
        yield _value("demographic_parity_gap", key, abs(rng.gauss(0.045, 0.03)), created + timedelta(hours=3))


def deployment_values(
    rng: random.Random, key: str, started: datetime, serving_age_days: float, now: datetime
) -> Iterator[Record]:
    """Weekly drift and latency reports over the last weeks the deployment has been serving.

    Drift grows with the age of the binary it serves, so stale deployments drift.
    """
    base_latency = rng.lognormvariate(3.8, 0.6)
    for week in range(12):
        observed = now - timedelta(days=7 * week + rng.uniform(0.5, 1.5))
        if observed < started:
            break
        age = max(0.0, serving_age_days - 7 * week)
        drift = 0.02 + 0.0015 * age + abs(rng.gauss(0, 0.03))
        yield _value("drift_psi", key, drift, observed)
        yield _value("serving_latency_p99_ms", key, base_latency * rng.uniform(0.85, 1.3), observed)


def model_source_values(rng: random.Random, key: str, created: datetime, now: datetime) -> Iterator[Record]:
    """A model card that fills in over time (or does not)."""
    coverage = rng.uniform(0.1, 0.7)
    observed = created + timedelta(days=rng.uniform(5, 20))
    for _ in range(4):
        if observed > now:
            break
        yield _value("documentation_coverage", key, coverage, observed)
        coverage = min(1.0, coverage + rng.uniform(0, 0.35))
        observed += timedelta(days=rng.uniform(60, 180))


def feature_source_values(
    rng: random.Random, key: str, typical_lag_hours: float, now: datetime
) -> Iterator[Record]:
    """Daily freshness checks over the last two weeks."""
    for day in range(14):
        lag = typical_lag_hours * rng.lognormvariate(0, 0.4)
        yield _value("feature_freshness_hours", key, lag, now - timedelta(days=day, hours=rng.uniform(1, 3)))
