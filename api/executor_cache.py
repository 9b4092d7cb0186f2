"""Object plans shared by every execution, keyed on field node identities and @skip/@include values."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Final

from graphql import GraphQLObjectType, OperationDefinitionNode, SelectionSetNode, VariableNode
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetailsList, FragmentDetails

from api.bounded_cache import OldestFirst
from api.executor_compile import planned
from api.executor_plans import ObjectPlan

PLAN_CACHE_SIZE: Final = 2048


def skip_include_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDetails]
) -> tuple[str, ...]:
    """Names of the variables that @skip and @include read anywhere in the document."""
    names: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    pending.extend(fragment.definition.selection_set for fragment in fragments.values())
    while pending:
        for selection in pending.pop().selections:
            for directive in selection.directives or ():
                if directive.name.value in ("skip", "include"):
                    for argument in directive.arguments or ():
                        if isinstance(argument.value, VariableNode):
                            names.add(argument.value.name.value)
            selection_set = getattr(selection, "selection_set", None)
            if selection_set is not None:
                pending.append(selection_set)
    return tuple(sorted(names))


class PlanCache:
    """Plans shared by every execution, keyed on field node identities and the @skip/@include values.

    Parsed documents are cached by the schema, so the same query text brings back the same nodes.
    Each entry holds its nodes, so an id in a key cannot be reused by another node while cached.
    """

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.plans: OldestFirst[Hashable, tuple[FieldDetailsList, ObjectPlan | None]] = OldestFirst(size)
        self.variables: OldestFirst[int, tuple[OperationDefinitionNode, tuple[str, ...]]] = OldestFirst(size)

    def directive_values(self, executor: Executor[Any]) -> tuple[Any, ...]:
        """The values of the variables that decide which fields @skip and @include keep."""
        operation = executor.operation
        entry = self.variables.get(id(operation))
        if entry is None or entry[0] is not operation:
            entry = (operation, skip_include_variables(operation, executor.fragments))
            self.variables[id(operation)] = entry
        coerced = executor.variable_values.coerced
        return tuple(coerced.get(name) for name in entry[1])

    def plan(
        self, executor: Executor[Any], object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> ObjectPlan | None:
        key = (
            object_type,
            tuple(id(field_details.node) for field_details in details),
            self.directive_values(executor),
        )
        entry = self.plans.get(key)
        if entry is None:
            entry = (details, planned(executor, object_type, details))
            self.plans[key] = entry
        return entry[1]


PLANS = PlanCache()
