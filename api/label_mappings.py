"""Label mappings named in a request (`?mapping=NAME`): the stored mapping, or a rejection naming it."""

from __future__ import annotations

from starlette.requests import Request

from graph.ingest import IngestRejected
from graph.mappings import ToolMapping, get_mapping


async def requested_mapping(request: Request) -> ToolMapping | None:
    """The stored mapping the `mapping` query parameter names, None without one.

    An unknown name raises IngestRejected, so that routes answer it like any rejected batch (400).
    """
    name = request.query_params.get("mapping")
    if name is None:
        return None
    mapping = await get_mapping(request.app.state.engine, name)
    if mapping is None:
        raise IngestRejected("mapping", f"no label mapping named '{name}'")
    return mapping
