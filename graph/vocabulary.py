"""The closed vocabularies of the graph: entity types, edge kinds, enums and reference fields."""

from __future__ import annotations

from dataclasses import dataclass

ENTITY_TYPES = (
    "FeatureSource",
    "LogicalFeature",
    "TrainingDataset",
    "ModelSource",
    "WorkflowRun",
    "ModelBinary",
    "ModelDeployment",
)
EDGE_KINDS = ("FEEDS", "COMPOSES", "TRAINS", "EXECUTES", "PRODUCES", "DEPLOYED_TO", "LOGS")
FEATURE_SOURCE_KINDS = ("TABLE", "STREAM", "LOG", "API", "OTHER")
RUN_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED")
DEPLOYMENT_STATUSES = ("ACTIVE", "CANARY", "ROLLED_BACK", "RETIRED")
DEPLOYMENT_ROLES = ("CONTROL", "CANARY")
METRIC_CATEGORIES = ("MODEL", "ECOSYSTEM", "SAFETY", "FAIRNESS", "GOVERNANCE")
AGGREGATES = ("MEAN", "MIN", "MAX")
REDUCTIONS = ("WORST", "BEST", "MEAN")
NO_DATA = "NO_DATA"


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference field of an entity record: it lists the node's upstream neighbours of one kind."""

    field: str
    kind: str
    source_type: str
    many: bool


# Every reference lives on the downstream node and names its upstream neighbours.
REFERENCES: dict[str, tuple[Reference, ...]] = {
    "FeatureSource": (Reference("logged_from", "LOGS", "ModelDeployment", True),),
    "LogicalFeature": (Reference("sources", "FEEDS", "FeatureSource", True),),
    "TrainingDataset": (Reference("features", "COMPOSES", "LogicalFeature", True),),
    "ModelSource": (),
    "WorkflowRun": (
        Reference("model_source", "EXECUTES", "ModelSource", False),
        Reference("datasets", "TRAINS", "TrainingDataset", True),
    ),
    "ModelBinary": (Reference("run", "PRODUCES", "WorkflowRun", False),),
    "ModelDeployment": (Reference("binaries", "DEPLOYED_TO", "ModelBinary", True),),
}

# Where a framework leaf's `via` leads from the framework's entity type.
VIA_TARGETS: dict[str, dict[str, str]] = {
    "ModelSource": {
        "LATEST_BINARY": "ModelBinary",
        "BINARIES": "ModelBinary",
        "RUNS": "WorkflowRun",
        "DEPLOYMENTS": "ModelDeployment",
        "DATASETS": "TrainingDataset",
    },
    "WorkflowRun": {
        "LATEST_BINARY": "ModelBinary",
        "BINARIES": "ModelBinary",
        "DEPLOYMENTS": "ModelDeployment",
        "DATASETS": "TrainingDataset",
    },
    "ModelBinary": {"RUNS": "WorkflowRun", "DEPLOYMENTS": "ModelDeployment", "DATASETS": "TrainingDataset"},
    "ModelDeployment": {"LATEST_BINARY": "ModelBinary", "BINARIES": "ModelBinary", "RUNS": "WorkflowRun"},
    "TrainingDataset": {"RUNS": "WorkflowRun"},
    "LogicalFeature": {"DATASETS": "TrainingDataset"},
    "FeatureSource": {},
}
VIAS = ("SELF", "LATEST_BINARY", "BINARIES", "RUNS", "DEPLOYMENTS", "DATASETS")


def via_target(entity_type: str, via: str) -> str | None:
    """The entity type a `via` walk reaches, or None when that hop does not exist from entity_type."""
    if via == "SELF":
        return entity_type
    return VIA_TARGETS.get(entity_type, {}).get(via)
