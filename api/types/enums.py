"""GraphQL enums; each value is the string the graph stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The seven lineage entity types.")
class EntityType(Enum):
    FEATURE_SOURCE = strawberry.enum_value("FeatureSource", description="Origin of raw data for features.")
    LOGICAL_FEATURE = strawberry.enum_value(
        "LogicalFeature", description="Logic that turns raw data into a feature."
    )
    TRAINING_DATASET = strawberry.enum_value(
        "TrainingDataset", description="Features materialised for training."
    )
    MODEL_SOURCE = strawberry.enum_value(
        "ModelSource", description="Model source code written for a purpose."
    )
    WORKFLOW_RUN = strawberry.enum_value(
        "WorkflowRun", description="A pipeline execution that trains binaries."
    )
    MODEL_BINARY = strawberry.enum_value("ModelBinary", description="A trained artifact.")
    MODEL_DEPLOYMENT = strawberry.enum_value(
        "ModelDeployment", description="A place where binaries serve inference."
    )


@strawberry.enum(description="Kinds of edges; every edge points the way data flows (upstream to downstream).")
class EdgeKind(Enum):
    FEEDS = strawberry.enum_value("FEEDS", description="FeatureSource to LogicalFeature.")
    COMPOSES = strawberry.enum_value("COMPOSES", description="LogicalFeature to TrainingDataset.")
    TRAINS = strawberry.enum_value("TRAINS", description="TrainingDataset to WorkflowRun.")
    EXECUTES = strawberry.enum_value(
        "EXECUTES", description="ModelSource to WorkflowRun (one source per run)."
    )
    PRODUCES = strawberry.enum_value(
        "PRODUCES", description="WorkflowRun to ModelBinary (one run per binary)."
    )
    DEPLOYED_TO = strawberry.enum_value(
        "DEPLOYED_TO", description="ModelBinary to ModelDeployment, with traffic."
    )
    LOGS = strawberry.enum_value("LOGS", description="ModelDeployment to the FeatureSource its logs become.")


@strawberry.enum(description="What a feature source is.")
class FeatureSourceKind(Enum):
    TABLE = strawberry.enum_value("TABLE", description="A table in a warehouse.")
    STREAM = strawberry.enum_value("STREAM", description="An event stream.")
    LOG = strawberry.enum_value("LOG", description="A log, such as a deployment's inference log.")
    API = strawberry.enum_value("API", description="A service queried for data.")
    OTHER = strawberry.enum_value("OTHER", description="Anything else.")


@strawberry.enum(description="Where a workflow run stands.")
class WorkflowRunStatus(Enum):
    RUNNING = strawberry.enum_value("RUNNING", description="Started and not finished.")
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="Finished successfully.")
    FAILED = strawberry.enum_value("FAILED", description="Finished with a failure or was aborted.")


@strawberry.enum(description="Where a model deployment stands.")
class DeploymentStatus(Enum):
    ACTIVE = strawberry.enum_value("ACTIVE", description="Serving production traffic.")
    CANARY = strawberry.enum_value("CANARY", description="Serving a trial share of traffic.")
    ROLLED_BACK = strawberry.enum_value("ROLLED_BACK", description="Withdrawn after a problem.")
    RETIRED = strawberry.enum_value("RETIRED", description="No longer serving.")


@strawberry.enum(description="The role of a binary in a deployment.")
class DeploymentRole(Enum):
    CONTROL = strawberry.enum_value("CONTROL", description="The binary serving regular traffic.")
    CANARY = strawberry.enum_value("CANARY", description="A binary on trial beside the control.")


@strawberry.enum(description="Fields lists of entities can be ordered by; ties are broken by key.")
class EntityOrderField(Enum):
    KEY = strawberry.enum_value("key", description="The entity key.")
    NAME = strawberry.enum_value("name", description="The entity name.")
    CREATED_AT = strawberry.enum_value("created_at", description="When the entity was created.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When the entity last changed.")


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first.")
    DESC = strawberry.enum_value("DESC", description="Largest first.")


@strawberry.enum(description="Families of metrics.")
class MetricCategory(Enum):
    MODEL = strawberry.enum_value("MODEL", description="Model quality, such as accuracy.")
    ECOSYSTEM = strawberry.enum_value(
        "ECOSYSTEM", description="Health of the surrounding pipelines and data."
    )
    SAFETY = strawberry.enum_value("SAFETY", description="Safety, such as drift.")
    FAIRNESS = strawberry.enum_value("FAIRNESS", description="Fairness across populations.")
    GOVERNANCE = strawberry.enum_value("GOVERNANCE", description="Ownership, freshness and process.")
