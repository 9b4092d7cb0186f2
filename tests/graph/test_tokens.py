"""Tokens: shown once, stored hashed, revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.models import api_token_table
from graph.tokens import create_token, digest, list_tokens, revoke_token, token_scope


async def test_token_is_stored_only_as_its_digest(engine: AsyncEngine) -> None:
    info, token = await create_token(engine, "write", "ci")
    async with engine.connect() as connection:
        stored = (await connection.execute(select(api_token_table))).mappings().one()
    assert token not in {str(value) for value in stored.values()}
    assert stored["digest"] == digest(token) and info.prefix == token[:12]
    assert await token_scope(engine, token) == "write"
    assert await token_scope(engine, token + "x") is None


async def test_revoked_token_no_longer_grants_its_scope(engine: AsyncEngine) -> None:
    info, token = await create_token(engine, "read")
    assert await revoke_token(engine, info.id) is True
    assert await revoke_token(engine, info.id) is False
    assert await token_scope(engine, token) is None
    [listed] = await list_tokens(engine)
    assert listed.scope == "read" and listed.revoked_at is not None


async def test_unknown_scope_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="scope must be one of read, write"):
        await create_token(engine, "admin")
