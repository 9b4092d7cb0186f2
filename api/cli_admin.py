"""Administration commands: API tokens and the exported GraphQL schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from api.cli_common import CommandFailed, DatabaseOption, run
from graph.timestamps import iso
from graph.tokens import SCOPES, create_token, list_tokens, revoke_token

token_app = typer.Typer(help="API tokens: writes need a write-scoped bearer token.", no_args_is_help=True)
stdout = Console(highlight=False)


@token_app.command("create")
def token_create_command(
    scope: Annotated[str, typer.Option("--scope", help=f"One of: {', '.join(SCOPES)}.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, shown by `token list`.")] = "",
    database: DatabaseOption = None,
) -> None:
    """Create a token and print it once: only its digest is stored."""
    if scope not in SCOPES:
        raise typer.BadParameter(f"must be one of {', '.join(SCOPES)}", param_hint="--scope")

    async def create(engine: AsyncEngine) -> str:
        info, token = await create_token(engine, scope, name)
        typer.echo(f"created {info.scope} token {info.id} ({info.prefix}…); it is shown only now:", err=True)
        return token

    typer.echo(run(database, create))


@token_app.command("list")
def token_list_command(database: DatabaseOption = None) -> None:
    """List tokens (never their secret)."""

    async def listed(engine: AsyncEngine) -> None:
        table = Table("id", "name", "scope", "prefix", "created", "revoked")
        for info in await list_tokens(engine):
            revoked = iso(info.revoked_at) if info.revoked_at else ""
            table.add_row(
                str(info.id), info.name, info.scope, info.prefix + "…", iso(info.created_at), revoked
            )
        stdout.print(table)

    run(database, listed)


@token_app.command("revoke")
def token_revoke_command(
    token_id: Annotated[int, typer.Argument(help="The id that `token list` shows.")],
    database: DatabaseOption = None,
) -> None:
    """Revoke a token: requests carrying it are refused from now on."""

    async def revoke(engine: AsyncEngine) -> None:
        if not await revoke_token(engine, token_id):
            raise CommandFailed(f"no live token with id {token_id}")
        typer.echo(f"revoked token {token_id}")

    run(database, revoke)


def export_schema_command(
    path: Annotated[
        Path | None, typer.Argument(help="Where to write the SDL (default: schema.graphql).")
    ] = None,
) -> None:
    """Write the GraphQL schema (SDL) that the code defines."""
    from api.schema_export import SCHEMA_FILE, export_schema

    written = export_schema(path or SCHEMA_FILE)
    typer.echo(f"wrote {written}")
