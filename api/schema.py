"""The GraphQL schema: the root Query and Mutation merged from each part, with caches and masking."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache

from api.errors import should_mask
from api.mutations import CoreMutation
from api.queries import CoreQuery
from api.types.entities import Entity, Node, Team
from api.types.enums import EdgeKind
from api.types.features import FeatureSource, LogicalFeature, TrainingDataset
from api.types.metrics import MetricsQuery
from api.types.models import ModelBinary, ModelDeployment, ModelSource, WorkflowRun

# Each part of the API contributes one class of root fields; add new parts here.
QUERY_PARTS: tuple[type, ...] = (CoreQuery, MetricsQuery)
MUTATION_PARTS: tuple[type, ...] = (CoreMutation,)
# Types reachable only through an interface (and EdgeKind, named by the contract) belong in it too.
CONCRETE_TYPES = (
    FeatureSource,
    LogicalFeature,
    TrainingDataset,
    ModelSource,
    WorkflowRun,
    ModelBinary,
    ModelDeployment,
    Team,
    Node,
    Entity,
    EdgeKind,
)
DOCUMENT_CACHE_SIZE = 512


def _root(name: str, parts: tuple[type, ...], description: str) -> type:
    """One root type inheriting the fields of every part (as strawberry's merge_types, with a description)."""
    return strawberry.type(type(name, parts, {}), name=name, description=description)


def build_schema() -> strawberry.Schema:
    query = _root("Query", QUERY_PARTS, "Reads of the AI metadata graph.")
    mutation = _root("Mutation", MUTATION_PARTS, "Writes to the graph.")
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        types=CONCRETE_TYPES,
        extensions=[
            # Operation-level hooks only: parsed and validated documents are reused across requests.
            lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: MaskErrors(should_mask_error=should_mask),
        ],
    )


schema = build_schema()
