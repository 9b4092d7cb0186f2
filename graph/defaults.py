"""The records aigraph ships: derived metric definitions, the default framework and the metrics it uses.

They are data of the interchange format, shared by the built-in installation (metrics/) and the
demo graph; how derived metrics are computed lives in metrics/derived.py.
"""

from __future__ import annotations

from typing import Any

AGE_BUCKETS = [
    {"label": "FRESH", "below": 30, "score": 1},
    {"label": "AGING", "below": 90, "score": 0.5},
    {"label": "STALE", "score": 0},
]

DERIVED_DEFINITIONS: list[dict[str, Any]] = [
    {
        "type": "MetricDefinition",
        "key": "retraining_recency_days",
        "name": "Retraining recency",
        "description": "Days since the model source's newest binary was created.",
        "category": "GOVERNANCE",
        "entity_type": "ModelSource",
        "unit": "days",
        "higher_is_better": False,
        "buckets": AGE_BUCKETS,
    },
    {
        "type": "MetricDefinition",
        "key": "deployed_binary_age_days",
        "name": "Deployed binary age",
        "description": "Days since the newest binary serving CONTROL traffic in the deployment was created.",
        "category": "GOVERNANCE",
        "entity_type": "ModelDeployment",
        "unit": "days",
        "higher_is_better": False,
        "buckets": AGE_BUCKETS,
    },
    {
        "type": "MetricDefinition",
        "key": "has_owner",
        "name": "Has an owner",
        "description": "1 when an owner team is set, else 0; applies to every entity type.",
        "category": "GOVERNANCE",
        "entity_type": None,
        "unit": "bool",
        "higher_is_better": True,
        "buckets": [{"label": "MISSING", "below": 0.5, "score": 0}, {"label": "PRESENT", "score": 1}],
    },
]

DEFAULT_DEFINITIONS: list[dict[str, Any]] = [
    {
        "type": "MetricDefinition",
        "key": "accuracy",
        "name": "Offline accuracy",
        "category": "MODEL",
        "entity_type": "ModelBinary",
        "unit": "ratio",
        "higher_is_better": True,
        "buckets": [
            {"label": "POOR", "below": 0.8, "score": 0},
            {"label": "FAIR", "below": 0.9, "score": 0.5},
            {"label": "GOOD", "score": 1},
        ],
    },
    {
        "type": "MetricDefinition",
        "key": "drift_psi",
        "name": "Prediction drift (PSI)",
        "category": "SAFETY",
        "entity_type": "ModelDeployment",
        "unit": "psi",
        "higher_is_better": False,
        "buckets": [
            {"label": "STABLE", "below": 0.1, "score": 1},
            {"label": "SHIFTING", "below": 0.25, "score": 0.5},
            {"label": "DRIFTED", "score": 0},
        ],
    },
]

MODEL_MATURITY: dict[str, Any] = {
    "type": "MetricFramework",
    "key": "model_maturity",
    "name": "Model management maturity",
    "entity_type": "ModelSource",
    "buckets": [
        {"label": "POOR", "below": 0.5, "score": 0},
        {"label": "FAIR", "below": 0.8, "score": 0.5},
        {"label": "GOOD", "score": 1},
    ],
    "root": {
        "name": "maturity",
        "aggregate": "MEAN",
        "children": [
            {"name": "freshness", "weight": 2, "metric": "retraining_recency_days"},
            {"name": "quality", "metric": "accuracy", "via": "LATEST_BINARY"},
            {"name": "drift", "metric": "drift_psi", "via": "DEPLOYMENTS", "reduce": "WORST"},
            {"name": "governance", "metric": "has_owner"},
        ],
    },
}
