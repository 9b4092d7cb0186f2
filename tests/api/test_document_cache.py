"""Documents are parsed once per text and validated once per parsed document, errors included."""

from __future__ import annotations

from typing import Any

import pytest

import api.document_cache as document_cache
from api.bounded_cache import OldestFirst
from api.schema import schema


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    validate = document_cache.validate_document

    def counting(*args: Any) -> Any:
        calls.append(args[1])
        return validate(*args)

    monkeypatch.setattr(document_cache, "validate_document", counting)
    monkeypatch.setattr(document_cache, "_VALIDATED", OldestFirst(document_cache.DOCUMENT_CACHE_SIZE))
    return calls


async def test_same_text_is_parsed_and_validated_once(validations: list[Any]) -> None:
    query = "query Twice { __typename }"
    first = await schema.execute(query)
    second = await schema.execute(query)
    assert first.data == second.data == {"__typename": "Query"}
    assert len(validations) == 1
    assert document_cache.parsed(query) is validations[0]


async def test_invalid_document_keeps_its_errors_on_every_request(validations: list[Any]) -> None:
    query = "query Bad { noSuchField }"
    answers = [await schema.execute(query) for _ in range(2)]
    for answer in answers:
        assert answer.data is None
        assert answer.errors is not None
        assert "Cannot query field 'noSuchField' on type 'Query'." in answer.errors[0].message
    assert len(validations) == 1


async def test_a_different_text_is_validated_on_its_own(validations: list[Any]) -> None:
    await schema.execute("query A { __typename }")
    answer = await schema.execute("query B { nope }")
    assert answer.errors is not None
    assert len(validations) == 2


def test_cache_is_bounded(validations: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_cache, "_VALIDATED", OldestFirst(3))
    graphql_schema = schema._schema
    documents = [document_cache.parse(f"query Q{index} {{ __typename }}") for index in range(5)]
    for document in documents:
        assert document_cache.validated(graphql_schema, document, ()) == []
    assert len(document_cache._VALIDATED) == 3
    # The oldest were evicted; the newest are still served from the cache.
    document_cache.validated(graphql_schema, documents[-1], ())
    assert len(validations) == 5
