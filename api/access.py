"""The one place a request is classified as a read or a write, and where access to it is decided.

Writes need a bearer token of write scope; reads are open unless AIGRAPH_REQUIRE_READ_TOKEN=1.
Every token is checked against the database on each request (one indexed lookup), so a revoked
token is refused at once by every worker.
"""

from __future__ import annotations

import os
from enum import Enum
from functools import lru_cache
from typing import Any

from graphql import OperationType
from graphql.utilities import get_operation_ast
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.limits import CACHE_SIZE, Refused, check_document, parsed
from api.telemetry import count_error, note_operation
from graph.tokens import token_scope

GRAPHQL_PATH = "/graphql"
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


class Access(Enum):
    READ = "read"
    WRITE = "write"


@lru_cache(maxsize=CACHE_SIZE)
def graphql_access(query: str, operation_name: str | None) -> Access:
    """WRITE when the operation the request selects is a mutation (worked out once per document)."""
    try:
        document = parsed(query)
    except Refused:
        return Access.READ
    if document is None:
        # Execution reports the syntax error with its location; classifying it as a read is safe
        # because nothing will run.
        return Access.READ
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation is OperationType.MUTATION:
        return Access.WRITE
    return Access.READ


def read_token_required() -> bool:
    return os.environ.get("AIGRAPH_REQUIRE_READ_TOKEN", "").strip().lower() in TRUE_VALUES


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def authorize(request: Request, access: Access) -> Response | None:
    """None to let the request through, or the response refusing it: 401 without a live token, 403
    with a read token for a write."""
    if access is Access.READ and not read_token_required():
        return None
    token = bearer_token(request)
    if token is None:
        return _refusal(request, 401, f"this request needs a {access.value} token", "")
    scope = await token_scope(request.app.state.engine, token)
    if scope is None:
        return _refusal(request, 401, "the token is unknown or revoked", ', error="invalid_token"')
    if access is Access.WRITE and scope != "write":
        return _refusal(request, 403, "writes need a write token", ', error="insufficient_scope"')
    return None


async def admit_graphql(
    request: Request, query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> Response | None:
    """Who asks (the token), then what is asked (the limits): both before anything runs."""
    note_operation(request, operation_name)
    refusal = await authorize(request, graphql_access(query, operation_name))
    if refusal is not None:
        return refusal
    try:
        note_operation(request, check_document(query, operation_name, variables))
    except Refused as error:
        count_error("limit")
        return JSONResponse({"errors": [error.formatted]}, status_code=400)
    return None


def _refusal(request: Request, status: int, message: str, challenge: str) -> Response:
    count_error("auth")
    body: dict[str, Any] = (
        {"errors": [{"message": message}]} if request.url.path == GRAPHQL_PATH else {"error": message}
    )
    headers = {"www-authenticate": f'Bearer realm="aigraph"{challenge}'} if status == 401 else {}
    return JSONResponse(body, status_code=status, headers=headers)
