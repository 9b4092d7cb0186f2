"""The browser pages: GraphiQL, the lineage explorer and team health, all served from api/static/.

Every script and stylesheet they load is vendored there, so no request leaves the server's origin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
GRAPHIQL_PAGE = STATIC / "graphiql.html"


def _page(name: str) -> Callable[[Request], Awaitable[Response]]:
    path = STATIC / name

    async def page(request: Request) -> Response:
        return FileResponse(path, media_type="text/html")

    return page


async def graphiql_page(request: Request) -> Response:
    return FileResponse(GRAPHIQL_PAGE, media_type="text/html")


async def home(request: Request) -> Response:
    return RedirectResponse("/explore", status_code=307)


def page_routes() -> list[BaseRoute]:
    """`/` (to the explorer), `/explore`, `/explore/teams` and the assets under `/static`."""
    return [
        Route("/", home, methods=["GET"]),
        Route("/explore", _page("explore.html"), methods=["GET"]),
        Route("/explore/teams", _page("teams.html"), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
