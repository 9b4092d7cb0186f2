"""GraphQL over HTTP: GraphiQL on GET, execution on POST (and GET for queries), orjson responses.

`/graphql` is routed to `GraphQLEndpoint`, a plain ASGI app: Starlette's function endpoints wrap
each request in a layer of exception handlers and a send wrapper of their own (about 20 µs of a
lineage request over HTTP, measured), which this route has no use for (errors are answered here,
and RequestTelemetry answers anything unexpected and gives every response its X-Request-Id).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.access import admit_graphql
from api.context import get_context
from api.nul_characters import MESSAGE as NUL_MESSAGE
from api.nul_characters import carries_nul
from api.operation_direct import direct_operation, learn
from api.operation_known import known_query, remember
from api.pages import graphiql_page
from api.schema import schema

READ_ONLY = frozenset({OperationType.QUERY})
ALL_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class JSONAnswer:
    """A 200 response with a JSON body, sent as its two ASGI messages.

    The answers of `/graphql` need none of a Starlette Response's header handling (no cookies, no
    charset to add, the request id comes from RequestTelemetry), which cost about 3 µs a request.
    """

    __slots__ = ("body",)

    def __init__(self, content: Any) -> None:
        self.body = orjson.dumps(content)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = b"%d" % len(self.body)
        headers = [(b"content-type", b"application/json"), (b"content-length", length)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


def _body(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body


async def _execute(
    request: Request, params: dict[str, Any], operations: frozenset[OperationType], escaped: bool = True
) -> Response | JSONAnswer:
    """Run the request's document; `escaped` False vouches that no string of it holds an escape."""
    query = params.get("query")
    if not isinstance(query, str) or not query:
        return _error(400, "the request has no `query`")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return _error(400, "`variables` must be a JSON object")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return _error(400, "`operationName` must be a string")
    if escaped and carries_nul(query, variables):
        return _error(400, NUL_MESSAGE)
    refusal = await admit_graphql(request, query, operation_name, variables)
    if refusal is not None:
        return refusal
    direct = direct_operation(query, operation_name)
    if direct is not None:
        # A lineage document seen before, answered straight from its walks (api.operation_direct).
        body = await direct.answer(request.app.state.engine, variables)
        if body is not None:
            return JSONAnswer(body)
    context = get_context(request.app.state.engine, request)
    known = known_query(query, operation_name)
    if known is not None:
        # A query that ran here before without an error (api.operation_known).
        body = await known.answer(context, variables)
        if body is not None:
            if direct is None:
                learn(query, operation_name, variables, context)  # once, when not learnt yet
            return JSONAnswer(body)
        context = get_context(request.app.state.engine, request)  # fresh loaders for the full path
    try:
        result = await schema.execute(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
            allowed_operation_types=operations,
        )
    except InvalidOperationTypeError:
        return _error(405, "mutations must be sent with POST")
    if not result.errors:
        remember(query, operation_name)
        if direct is None:
            learn(query, operation_name, variables, context)
    return JSONAnswer(_body(result))


async def graphql_get(request: Request) -> Response | JSONAnswer:
    """GraphiQL for browsers; a query in the URL is executed (queries only)."""
    if "query" not in request.query_params:
        return await graphiql_page(request)
    params: dict[str, Any] = dict(request.query_params)
    if "variables" in params:
        try:
            params["variables"] = orjson.loads(params["variables"])
        except orjson.JSONDecodeError:
            return _error(400, "`variables` is not valid JSON")
    return await _execute(request, params, READ_ONLY)


async def graphql_post(request: Request) -> Response | JSONAnswer:
    body = await request.body()
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _error(400, "the request body is not valid JSON")
    if not isinstance(params, dict):
        return _error(400, "the request body must be a JSON object")
    # JSON has no raw control characters in its strings (orjson refuses them), so a NUL in a
    # variable comes from a `\u0000` escape and one in the query from GraphQL's `\u0000` or
    # `\u{0}`, written `\\u...` in JSON: without `\u` in the body, there is nothing to look for.
    return await _execute(request, params, ALL_OPERATIONS, escaped=b"\\u" in body)


class GraphQLEndpoint:
    """GET and POST `/graphql` (Starlette routes an instance of a class as a plain ASGI app)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        handle = graphql_post if scope["method"] == "POST" else graphql_get
        response = await handle(request)
        await response(scope, receive, send)
