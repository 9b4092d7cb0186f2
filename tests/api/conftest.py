"""API fixtures: the real ASGI app on the test's engine, reached in-process through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from graph.tokens import create_token


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    # ASGITransport does not run the lifespan, so the app is handed the already-open engine.
    app = create_app(engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
async def write_token(engine: AsyncEngine) -> str:
    _, token = await create_token(engine, "write", "tests")
    return token


@pytest.fixture
def writer(client: httpx.AsyncClient, write_token: str) -> httpx.AsyncClient:
    """The test's client, now sending a write token with every request."""
    client.headers["authorization"] = f"Bearer {write_token}"
    return client
