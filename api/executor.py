"""The GraphQL executor: stock graphql-core semantics, with default-resolved fields completed in plain loops.

Per-field work in the stock executor (resolve info, paths, resolver wrappers, type dispatch) costs
microseconds a field. Here an object's selection runs from a plan compiled once per document shape
(`api.executor_plans`, cached by `api.executor_cache`): attribute reads, leaves through their
scalar, runtime types known by class (`api.executor_values`). Every field with a resolver of its
own, and every value the plan does not expect (awaitables, unknown classes), goes through the stock
machinery, which comes back here for the objects below. Errors are handled at the same points as in
the stock executor, so paths, nulls and their order agree.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from api.executor_cache import PLANS
from api.executor_compile import MAX_DEOPTS
from api.executor_direct import direct_result
from api.executor_plans import COMPOSITE, LEAF, LIST, RESOLVER, ObjectPlan
from api.executor_values import ValueCompletion, new_path, settle


class FastExecutor(ValueCompletion):
    """Strawberry's executor with planned object selections (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware wraps every resolver, including the attribute reads planned here.
        self.planning = manager is None or not manager.middlewares
        self.plans_by_details: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, ObjectPlan | None]]
        self.plans_by_details = {}

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if position_context is None and self.planning:
            # Each entry holds its list, so the id in its key cannot be reused during this execution.
            key = (return_type, id(field_details_list))
            entry = self.plans_by_details.get(key)
            if entry is None:
                entry = (field_details_list, PLANS.plan(self, return_type, field_details_list))
                self.plans_by_details[key] = entry
            if entry[1] is not None:
                # The values a resolver returns: some can serialize themselves (api.executor_direct).
                direct = direct_result(self, entry[1], result)
                if direct is not None:
                    return direct
                return self.run_plan(entry[1], result, path)
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def run_plan(self, plan: ObjectPlan, source: Any, path: Path) -> AwaitableOrValue[dict[str, Any]]:
        """The fields of one object: through its compiled function when that vouches for every value."""
        compiled = plan.compiled
        if compiled is not None:
            try:
                return compiled(source)
            except Exception:
                # Deopt, or anything a read raised: the plan reports it as the stock executor would.
                plan.deopts += 1
                if plan.deopts > MAX_DEOPTS:
                    plan.compiled = None
        return self.execute_plan(plan, source, path)

    def execute_plan(self, plan: ObjectPlan, source: Any, path: Path) -> AwaitableOrValue[dict[str, Any]]:
        """The fields of one object, as `execute_fields` would produce them."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        type_name = plan.type_name
        awaitable_fields: list[str] = []
        try:
            for field in plan.fields:
                name = field.name
                kind = field.kind
                shape: Any = field.shape
                if kind == LEAF:
                    try:
                        value = getattr(source, field.attribute)
                        if type(value) is shape.identity_class:
                            results[name] = value
                            continue
                        serialize = shape.known.get(type(value))
                        if serialize is not None:
                            results[name] = serialize(value)
                            continue
                        field_path = new_path(Path, (path, name, type_name))
                        completed = self.complete(field, shape, value, field_path)
                    except Exception as raw_error:
                        field_path = new_path(Path, (path, name, type_name))
                        self.handle_field_error(raw_error, shape.graphql_type, field.details, field_path)
                        completed = None
                elif kind == COMPOSITE:
                    field_path = new_path(Path, (path, name, type_name))
                    try:
                        value = getattr(source, field.attribute)
                        ready = shape.known.get(type(value))
                        if ready is not None and not (
                            shape.cast_check and getattr(value, TYPE_CAST_ATTRIBUTE, None) is not None
                        ):
                            completed = self.run_plan(ready, value, field_path)
                        elif shape.kind == LIST and type(value) is list:
                            completed = self.complete_list(field, shape, value, field_path)
                        else:
                            completed = self.complete(field, shape, value, field_path)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, shape.graphql_type, field.details, field_path)
                        completed = None
                elif kind == RESOLVER:
                    field_path = new_path(Path, (path, name, type_name))
                    completed = self.execute_field(plan.object_type, source, field.details, field_path, None)
                    if completed is Undefined:
                        continue
                    results[name] = completed
                    if is_awaitable(completed):
                        awaitable_fields.append(name)
                    continue
                else:
                    results[name] = type_name
                    continue
                if is_awaitable(completed):
                    completed = self.await_completed(completed, field, shape.graphql_type, field_path)
                    awaitable_fields.append(name)
                results[name] = completed
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise

        if not awaitable_fields:
            return results

        return settle(results, awaitable_fields)


__all__ = ["FastExecutor"]
