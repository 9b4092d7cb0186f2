"""POST /api/v1/lineage: OpenLineage RunEvents (one, or an array) merged into the graph.

The path and the 201 answer are those of Marquez, so OpenLineage clients report here unchanged.
"""

from __future__ import annotations

import zlib

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.access import Access, authorize
from api.graphql_http import JSONResponse
from api.label_mappings import requested_mapping
from api.telemetry import count_error, count_ingested
from graph.ingest import IngestRejected
from graph.openlineage_events import EventError, parse_events
from graph.openlineage_ingest import record_events

# A gzip body may not expand beyond this: a small compressed body must not fill the memory.
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024


class BadBody(ValueError):
    """The body cannot be read as JSON; the message says why."""


async def openlineage_events(request: Request) -> Response:
    """201 with the ingest summary, or 400 naming the event and the reason (nothing written)."""
    refusal = await authorize(request, Access.WRITE)
    if refusal is not None:
        return refusal
    try:
        body = _json(await request.body(), request.headers.get("content-encoding", ""))
        mapping = await requested_mapping(request)
        summary = await record_events(request.app.state.engine, parse_events(body), mapping)
    except BadBody as error:
        count_error("bad_request")
        return _bad_request(f"body: {error}")
    except (EventError, IngestRejected) as error:
        count_error("ingest_rejected")
        return _bad_request(f"{error.location}: {error.reason}")
    count_ingested(summary)
    return JSONResponse(summary.as_json(), status_code=201)


def _json(body: bytes, encoding: str) -> object:
    if encoding.strip().lower() == "gzip":
        # The OpenLineage HTTP transport compresses with gzip when configured to.
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, MAX_DECOMPRESSED_BYTES)
        except zlib.error as error:
            raise BadBody(f"invalid gzip: {error}") from None
        if inflater.unconsumed_tail:
            raise BadBody(f"decompressed body exceeds {MAX_DECOMPRESSED_BYTES} bytes")
    elif encoding.strip() not in ("", "identity"):
        raise BadBody(f"unsupported Content-Encoding {encoding!r}")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadBody(f"invalid JSON: {error}") from None


def _bad_request(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)
