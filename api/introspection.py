"""The introspection switch: on by default (GraphiQL needs it), off with AIGRAPH_INTROSPECTION=0.

When it is off, error messages stop suggesting field, argument and type names ("Did you mean …?"),
which would otherwise let a client rebuild the schema by guessing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
FALSE_VALUES = frozenset({"0", "false", "no", "off"})
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?", re.DOTALL)


def introspection_enabled() -> bool:
    # Read on every request: cheap, and the switch then needs no restart in tests or shells.
    return os.environ.get("AIGRAPH_INTROSPECTION", "1").strip().lower() not in FALSE_VALUES


def without_suggestions(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    # A new error, never an edited one: validation results (and their errors) are cached and shared.
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class HideSuggestions(SchemaExtension):
    """Drops "Did you mean …?" from every error of the answer while introspection is off."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if introspection_enabled() or not isinstance(result, ExecutionResult | GraphQLExecutionResult):
            return
        if result.errors:
            result.errors = [without_suggestions(error) for error in result.errors]
