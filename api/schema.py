"""The GraphQL schema: the root Query and Mutation merged from each part, with caches and masking."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.tools import merge_types

from api.errors import should_mask
from api.mutations import CoreMutation
from api.queries import CoreQuery
from api.types.entities import Entity, Node, Team
from api.types.enums import EdgeKind
from api.types.features import FeatureSource, LogicalFeature, TrainingDataset
from api.types.models import ModelBinary, ModelDeployment, ModelSource, WorkflowRun

# Each part of the API contributes one class of root fields; add new parts here.
QUERY_PARTS: tuple[type, ...] = (CoreQuery,)
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


def build_schema() -> strawberry.Schema:
    query = merge_types("Query", QUERY_PARTS)
    mutation = merge_types("Mutation", MUTATION_PARTS)
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
