"""Errors a client can act on: their message is shown; every other error is masked."""

from __future__ import annotations

from graphql import GraphQLError


class UserError(Exception):
    """A request the client can fix (bad argument, unknown key); the message is safe to show."""


def should_mask(error: GraphQLError) -> bool:
    """Mask unexpected exceptions; keep GraphQL's own errors (syntax, validation) and UserErrors."""
    original = error.original_error
    return original is not None and not isinstance(original, UserError | GraphQLError)
