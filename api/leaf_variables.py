"""Variables of scalar and enum types coerced as graphql-core coerces them, without its general pass.

graphql-core's `get_variable_values` works out each variable's type from the document on every
request and walks a general coercion for lists and input objects: about 10 µs for the four
variables of a lineage view, as much as building its answer. A document whose variables are all
of leaf types (String, Int, an enum...) gets, once, the signature of each; a request then costs one
call of the type's own `coerce_input_value` per variable, which is what graphql-core ends with for
a leaf. Anything else (a variable left out, an explicit null, a value the type refuses) is handed
back to graphql-core, which applies defaults and words the errors.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLLeafType,
    GraphQLSchema,
    Undefined,
    VariableDefinitionNode,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.get_variable_signature import GraphQLVariableSignature, get_variable_signature


@dataclass(frozen=True, slots=True)
class LeafVariable:
    signature: GraphQLVariableSignature
    leaf: GraphQLLeafType


@dataclass(frozen=True, slots=True)
class LeafVariables:
    """The variables of one operation, all of leaf types."""

    variables: tuple[LeafVariable, ...]

    @classmethod
    def of(
        cls, schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
    ) -> LeafVariables | None:
        """The operation's variables, or None when one is not of a leaf type."""
        variables = []
        for definition in definitions:
            signature = get_variable_signature(schema, definition)
            if isinstance(signature, GraphQLError):
                return None
            named = signature.type.of_type if is_non_null_type(signature.type) else signature.type
            if not is_leaf_type(named):
                return None
            variables.append(LeafVariable(signature, named))
        return cls(tuple(variables))

    def values(self, inputs: dict[str, Any]) -> dict[str, Any] | None:
        """The coerced value of each variable by name, or None to leave the variables to graphql-core."""
        coerced: dict[str, Any] = {}
        for variable in self.variables:
            name = variable.signature.name
            value = inputs.get(name)
            if value is None:
                return None  # left out (a default may apply) or null (allowed only if nullable)
            try:
                result = variable.leaf.coerce_input_value(value)
            except Exception:
                return None  # refused: graphql-core words the error
            if result is Undefined:
                return None
            coerced[name] = result
        return coerced
