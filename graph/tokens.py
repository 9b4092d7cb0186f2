"""API tokens: created once in plain text, stored as SHA-256 digests, checked on every write.

Tokens are 256 random bits, so a fast digest is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import write_transaction
from graph.models import api_token_table
from graph.timestamps import now

SCOPES = ("read", "write")
TOKEN_PREFIX = "aig_"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    scope: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(engine: AsyncEngine, scope: str, name: str = "") -> tuple[TokenInfo, str]:
    """A new token of `scope`; the plain text is returned here and never again."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix, created_at = token[:12], now()
    row = {"name": name, "scope": scope, "prefix": prefix, "digest": digest(token), "created_at": created_at}
    async with write_transaction(engine) as connection:
        result = await connection.execute(api_token_table.insert().returning(api_token_table.c.id), row)
        token_id = result.scalar_one()
    return TokenInfo(token_id, name, scope, prefix, created_at, None), token


async def list_tokens(engine: AsyncEngine) -> list[TokenInfo]:
    table = api_token_table
    statement = select(
        table.c.id, table.c.name, table.c.scope, table.c.prefix, table.c.created_at, table.c.revoked_at
    ).order_by(table.c.id)
    async with engine.connect() as connection:
        return [TokenInfo(*row) for row in await connection.execute(statement)]


async def revoke_token(engine: AsyncEngine, token_id: int) -> bool:
    """Revoke by id; False when no live token has that id."""
    table = api_token_table
    statement = (
        update(table).where(table.c.id == token_id, table.c.revoked_at.is_(None)).values(revoked_at=now())
    )
    async with write_transaction(engine) as connection:
        return (await connection.execute(statement)).rowcount == 1


async def token_scope(engine: AsyncEngine, token: str) -> str | None:
    """The scope of a live token, or None when it is unknown or revoked."""
    table = api_token_table
    statement = select(table.c.scope).where(table.c.digest == digest(token), table.c.revoked_at.is_(None))
    async with engine.connect() as connection:
        return (await connection.execute(statement)).scalar_one_or_none()
