"""NUL characters in GraphQL arguments and variables, refused before execution.

Nothing stored can hold one (ingest refuses them) and PostgreSQL rejects one in any text parameter,
so a lookup by such a string would otherwise fail inside the database.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import BREAK, GraphQLError, StringValueNode, Visitor, parse, visit

MESSAGE = "NUL characters are not allowed in arguments or variables"
# The escapes that put a NUL into a GraphQL string; a raw one is already a syntax error.
NUL_ESCAPE = re.compile(r"\\u(?:0000|\{0+\})")


class _NulFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if "\x00" in node.value:
            self.found = True
            return BREAK
        return None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(name) or _holds_nul(item) for name, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def carries_nul(query: str, variables: dict[str, Any] | None) -> bool:
    """Whether a string argument or a variable of the request holds a NUL character."""
    if variables is not None and _holds_nul(variables):
        return True
    if not NUL_ESCAPE.search(query):
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False  # execution reports the syntax error with its location
    finder = _NulFinder()
    visit(document, finder)
    return finder.found
