"""Token and export-schema commands through the real command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from api.schema_export import schema_sdl

runner = CliRunner()


def test_token_create_prints_the_token_once_and_list_hides_it(database_url: str) -> None:
    created = runner.invoke(
        app, ["token", "create", "--scope", "write", "--name", "ci", "--database", database_url]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("aig_") and len(token) > 40
    listed = runner.invoke(app, ["token", "list", "--database", database_url])
    assert listed.exit_code == 0
    assert "ci" in listed.stdout and "write" in listed.stdout and token not in listed.stdout


def test_token_revoke_and_unknown_id(database_url: str) -> None:
    runner.invoke(app, ["token", "create", "--scope", "read", "--database", database_url])
    assert runner.invoke(app, ["token", "revoke", "1", "--database", database_url]).exit_code == 0
    again = runner.invoke(app, ["token", "revoke", "1", "--database", database_url])
    assert again.exit_code == 1 and "no live token with id 1" in again.stderr


def test_token_scope_must_be_read_or_write(database_url: str) -> None:
    result = runner.invoke(app, ["token", "create", "--scope", "admin", "--database", database_url])
    assert result.exit_code == 2 and "must be one of read, write" in result.output


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    result = runner.invoke(app, ["export-schema", str(target)])
    assert result.exit_code == 0
    assert target.read_text() == schema_sdl()
