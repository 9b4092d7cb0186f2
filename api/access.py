"""The one place a request is classified as a read or a write, and where access to it is decided.

Today every request is allowed; write tokens plug into `authorize`, which every route calls
before doing any work.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, OperationType, parse
from graphql.utilities import get_operation_ast
from starlette.requests import Request
from starlette.responses import Response

DOCUMENT_CACHE_SIZE = 512


class Access(Enum):
    READ = "read"
    WRITE = "write"


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def _parsed(query: str) -> DocumentNode | None:
    try:
        return parse(query)
    except GraphQLError:
        # Execution reports the syntax error with its location; classifying it as a read is safe
        # because nothing will run.
        return None


def graphql_access(query: str, operation_name: str | None) -> Access:
    """WRITE when the operation the request selects is a mutation."""
    document = _parsed(query)
    if document is None:
        return Access.READ
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation is OperationType.MUTATION:
        return Access.WRITE
    return Access.READ


def authorize(request: Request, access: Access) -> Response | None:
    """None to let the request through, or the response refusing it (401/403 with write tokens)."""
    return None
