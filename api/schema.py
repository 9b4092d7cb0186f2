"""The GraphQL schema: the root Query and Mutation merged from each part, with caches and masking."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from api.document_cache import DocumentCache
from api.errors import should_mask
from api.executor import FastExecutor
from api.introspection import HideSuggestions
from api.lineage import LineageQuery
from api.mutations import CoreMutation
from api.queries import CoreQuery
from api.telemetry import CountErrors
from api.types.entities import Entity, Node, Team
from api.types.enums import EdgeKind
from api.types.features import FeatureSource, LogicalFeature, TrainingDataset
from api.types.metrics import MetricsQuery
from api.types.models import ModelBinary, ModelDeployment, ModelSource, WorkflowRun

# Each part of the API contributes one class of root fields; add new parts here.
QUERY_PARTS: tuple[type, ...] = (CoreQuery, MetricsQuery, LineageQuery)
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
UNEXPECTED_ERROR = "Unexpected error; it is logged under the request id in the X-Request-Id header."

logger = logging.getLogger(__name__)


class Schema(strawberry.Schema):
    """Logs unexpected errors with their request id; errors a client can fix are answers, not logs."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = None if execution_context is None else execution_context.context
        request_id = getattr(context, "request_id", "-")
        for error in errors:
            if should_mask(error):
                logger.error(
                    "request %s: unexpected error at %s",
                    request_id,
                    error.path,
                    exc_info=error.original_error,
                )


def _root(name: str, parts: tuple[type, ...], description: str) -> type:
    """One root type inheriting the fields of every part (as strawberry's merge_types, with a description)."""
    return strawberry.type(type(name, parts, {}), name=name, description=description)


def build_schema() -> Schema:
    query = _root("Query", QUERY_PARTS, "Reads of the AI metadata graph.")
    mutation = _root("Mutation", MUTATION_PARTS, "Writes to the graph.")
    return Schema(
        query=query,
        mutation=mutation,
        types=CONCRETE_TYPES,
        extensions=[
            # Operation-level hooks only: parsed and validated documents are reused across requests.
            DocumentCache,
            lambda: MaskErrors(should_mask_error=should_mask, error_message=UNEXPECTED_ERROR),
            # After masking in the list, so they see the errors as raised (their hooks end first).
            HideSuggestions,
            CountErrors,
        ],
        # Default-resolved fields completed in plain loops, stock semantics (api/executor.py).
        execution_context_class=FastExecutor,
    )


schema = build_schema()
