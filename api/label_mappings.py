"""Label mappings named in a request (`?mapping=NAME`): the stored mapping, or a rejection naming it."""

from __future__ import annotations

from starlette.requests import Request

from graph.ingest import IngestRejected
from graph.mappings import ToolMapping, get_mapping, mapped
from graph.sources import BatchSource


async def requested_mapping(request: Request) -> ToolMapping | None:
    """The stored mapping the `mapping` query parameter names, None without one.

    An unknown name raises IngestRejected, so that routes answer it like any rejected batch (400).
    """
    name = request.query_params.get("mapping")
    if name is None:
        return None
    mapping = await get_mapping(request.app.state.engine, name)
    if mapping is None:
        raise IngestRejected(
            "mapping", f"no label mapping named {name!r} (add one with `aigraph mapping add`)"
        )
    return mapping


async def requested_source(request: Request, source: BatchSource) -> BatchSource:
    """The batch translated by the requested mapping, or as it is when none is requested."""
    mapping = await requested_mapping(request)
    return source if mapping is None else mapped(source, mapping)
