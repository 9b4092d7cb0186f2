"""Queries that ran before without an error, executed by graphql-core without the extension hooks.

strawberry's execute wraps every operation in its extensions' hooks: a context manager per
extension for the operation, parsing, validation and execution, about 150 µs a request (more than
a key lookup's SQL). For a query that is valid and answers without an error, those hooks change
nothing: the document is parsed and validated once anyway (api.document_cache), and the errors
the extensions mask, count and strip of suggestions are absent. So a query document that has run
the full path without an error is remembered, and later requests with the same text run
graphql-core's execute with the same executor, context and variables. An answer with any error
is dropped and the request goes down the full path, which runs it again and answers as usual
(a query run twice changes nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any, Final, TypeGuard

from graphql import DocumentNode, OperationType, get_operation_ast
from graphql.execution import execute
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension

from api.bounded_cache import OldestFirst
from api.context import Context
from api.document_cache import parsed
from api.executor import FastExecutor
from api.schema import schema

KNOWN_CACHE_SIZE: Final = 512


def _is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    return optimized_is_awaitable(value)  # strawberry's check, as its own execute passes it


@dataclass(frozen=True, slots=True)
class KnownQuery:
    """A query document known to be valid, with the operation to run."""

    query: str
    operation_name: str | None

    async def answer(self, context: Context, variables: dict[str, Any] | None) -> dict[str, Any] | None:
        """The response body, or None to leave the request to the full path."""
        # The parse cache hands back the document the full path validated (or, once evicted, the
        # same text parsed again: still valid).
        document: DocumentNode = parsed(self.query)
        outcome = execute(
            schema._schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=self.operation_name,
            executor_class=FastExecutor,
            is_awaitable=_is_awaitable,
            operation_extensions=None,
        )
        result = await outcome if isawaitable(outcome) else outcome
        if result.errors:
            return None
        return {"data": result.data}


_KNOWN: OldestFirst[tuple[str, str | None], KnownQuery | None] = OldestFirst(KNOWN_CACHE_SIZE)


def known_query(query: str, operation_name: str | None) -> KnownQuery | None:
    """The known form of a query document that ran without an error before, or None."""
    return _KNOWN.get((query, operation_name))


def remember(query: str, operation_name: str | None) -> None:
    """Record a document that has just run the full path without an error (queries only)."""
    key = (query, operation_name)
    if key in _KNOWN:
        return
    operation = get_operation_ast(parsed(query), operation_name)
    eligible = operation is not None and operation.operation is OperationType.QUERY and not hooks_per_field()
    _KNOWN[key] = KnownQuery(query, operation_name) if eligible else None


def hooks_per_field() -> bool:
    """Whether an extension wraps every resolver: then every request must run with the hooks."""
    extensions = schema.get_extensions()
    return any(type(extension).resolve is not SchemaExtension.resolve for extension in extensions)
