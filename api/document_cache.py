"""Parsed and validated documents, reused across requests.

strawberry's ValidationCache keys its LRU cache on the document itself, and a graphql-core AST
node hashes by walking the whole tree: every request paid for a full walk of its document just to
find that it was validated before. Here the parse cache (keyed on the query text, as strawberry's
ParserCache) hands back the same document object for the same text, so validation results are
keyed on that object's identity; each entry holds its document, so the id cannot be reused while
the entry lives.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Final

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from graphql.language.parser import parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.bounded_cache import OldestFirst

DOCUMENT_CACHE_SIZE: Final = 512

ValidationKey = tuple[int, int, tuple[type[ASTValidationRule], ...]]
_VALIDATED: OldestFirst[ValidationKey, tuple[DocumentNode, GraphQLSchema, list[GraphQLError]]] = OldestFirst(
    DOCUMENT_CACHE_SIZE
)


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def parsed(query: str, **options: Any) -> DocumentNode:
    return parse(query, **options)


def validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """The validation errors of a document (none when valid), computed once per document object."""
    key = (id(schema), id(document), rules)
    entry = _VALIDATED.get(key)
    if entry is None or entry[0] is not document or entry[1] is not schema:
        entry = (document, schema, validate_document(schema, document, rules))
        _VALIDATED[key] = entry
    return entry[2]


class DocumentCache(SchemaExtension):
    """Parses each query text once and validates each parsed document once (see the module docstring)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = parsed(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = validated(
            context.schema._schema, context.graphql_document, tuple(context.validation_rules)
        )
        yield
