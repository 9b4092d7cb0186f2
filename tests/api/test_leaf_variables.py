"""Leaf variables coerced without graphql-core's general pass give exactly what it gives, or defer."""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, parse
from graphql.execution.values import VariableValues, get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st

from api.leaf_variables import LeafVariables
from api.schema import schema

LEAVES = """query($key: String!, $direction: LineageDirection, $depth: Int, $flag: Boolean,
    $score: Float, $id: ID!, $type: EntityType!) { __typename }"""
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**33), max_value=2**33),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["UPSTREAM", "BOTH", "downstream", "MODEL_BINARY", "TEAM", "FEATURE_SOURCE", "6", "1.5"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
NAMES = ("key", "direction", "depth", "flag", "score", "id", "type")


def _operation(document: str) -> OperationDefinitionNode:
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation


LEAF_OPERATION = _operation(LEAVES)
LEAF_VARIABLES = LeafVariables.of(schema._schema, LEAF_OPERATION.variable_definitions)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES), VALUES))
def test_leaf_values_agree_with_graphql_core_or_are_left_to_it(inputs: dict[str, Any]) -> None:
    assert LEAF_VARIABLES is not None
    fast = LEAF_VARIABLES.values(inputs)
    expected = get_variable_values(schema._schema, LEAF_OPERATION.variable_definitions, inputs)
    if fast is None:
        return
    assert isinstance(expected, VariableValues), expected
    assert fast == expected.coerced


def test_typical_values_are_coerced_and_unusual_ones_deferred() -> None:
    assert LEAF_VARIABLES is not None
    inputs = {
        "key": "dep/1",
        "direction": "BOTH",
        "depth": 6,
        "flag": True,
        "score": 1,
        "id": 7,
        "type": "MODEL_BINARY",
    }
    fast = LEAF_VARIABLES.values(inputs)
    assert fast is not None
    assert fast["depth"] == 6 and fast["id"] == "7" and fast["score"] == 1.0
    assert str(fast["direction"].value) == "BOTH"
    # Left out (defaults apply), null, or refused: graphql-core decides and words the error.
    assert LEAF_VARIABLES.values({**inputs, "depth": None}) is None
    assert LEAF_VARIABLES.values({name: value for name, value in inputs.items() if name != "flag"}) is None
    assert LEAF_VARIABLES.values({**inputs, "depth": "six"}) is None
    assert LEAF_VARIABLES.values({**inputs, "depth": 2**31}) is None


def test_documents_with_list_or_input_object_variables_are_not_leaf_only() -> None:
    listed = _operation("query($types: [EntityType!]) { __typename }")
    assert LeafVariables.of(schema._schema, listed.variable_definitions) is None
    unknown = _operation("query($x: NoSuchType) { __typename }")
    assert LeafVariables.of(schema._schema, unknown.variable_definitions) is None
