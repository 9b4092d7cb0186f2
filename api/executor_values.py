"""Completing values by their planned shape: the value half of the fast executor (api/executor.py).

Each method does what graphql-core's `complete_value` family does for one position, remembering per
class what the first value taught (its serializer, its runtime type, its plan), and hands values of
classes it cannot vouch for to the stock methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, MutableSequence
from types import GeneratorType
from typing import Any, TypeVar, cast

from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.executor import collect_iterator_awaitables, invalid_return_type_error
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from api.executor_compile import planned
from api.executor_plans import (
    ABSTRACT,
    CHECK_BY_CLASS,
    CHECK_EACH,
    LEAF,
    LIST,
    UNCOMPILED,
    FieldPlan,
    ObjectPlan,
    Shape,
    leaf_serializer,
)

Results = TypeVar("Results", dict[str, Any], list[Any])
# Path is a NamedTuple whose generated __new__ costs more than building the tuple directly.
new_path = cast("Callable[[type[Path], tuple[Any, Any, Any]], Path]", tuple.__new__)


def field_path_of(path: Path) -> Path:
    """The path of the field a (possibly nested) list item belongs to."""
    while isinstance(path.key, int):
        assert path.prev is not None
        path = path.prev
    return path


def class_decides_awaitable(value: Any) -> bool:
    # Whether a value is awaitable depends on its class alone, except for generator objects.
    return not isinstance(value, GeneratorType)


async def settle(results: Results, awaitable_keys: list[Any]) -> Results:
    """The results with their awaitable entries awaited, as `execute_fields` and lists settle them."""
    container = cast("MutableSequence[Any] | dict[Any, Any]", results)
    if len(awaitable_keys) == 1:
        container[awaitable_keys[0]] = await container[awaitable_keys[0]]
    else:
        awaited = await gather_with_cancel(*(container[key] for key in awaitable_keys))
        for key, value in zip(awaitable_keys, awaited, strict=True):
            container[key] = value
    return results


class ValueCompletion(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with completion by planned shape; plans run in the subclass."""

    def execute_plan(self, plan: ObjectPlan, source: Any, path: Path) -> AwaitableOrValue[dict[str, Any]]:
        raise NotImplementedError

    def run_plan(self, plan: ObjectPlan, source: Any, path: Path) -> AwaitableOrValue[dict[str, Any]]:
        raise NotImplementedError

    def info(self, field: FieldPlan, path: Path) -> GraphQLResolveInfo[Any]:
        return self.build_resolve_info(field.field_def, field.nodes, field.parent_type, field_path_of(path))

    async def await_completed(
        self, completed: Awaitable[Any], field: FieldPlan, return_type: GraphQLOutputType, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field.details, path)
            return None

    def complete(self, field: FieldPlan, shape: Shape, value: Any, path: Path) -> Any:
        """Complete a value as `complete_value` would; may return an awaitable."""
        if value is None or value is Undefined:
            if shape.non_null:
                raise TypeError(field.null_message)
            return None
        kind = shape.kind
        known = shape.known.get(type(value))
        if kind == LEAF:
            if type(value) is shape.identity_class:
                return value
            if known is not None:
                return known(value)
        elif kind == LIST:
            if type(value) is list or type(value) is tuple:
                return self.complete_list(field, shape, value, path)
        elif known is not None and not (
            shape.cast_check and getattr(value, TYPE_CAST_ATTRIBUTE, None) is not None
        ):
            return self.run_plan(known, value, path)
        if self.is_awaitable(value):
            return self.complete_awaitable_value(
                shape.graphql_type, field.details, self.info(field, path), path, value, None
            )
        if isinstance(value, Exception):
            raise value
        if kind == LEAF:
            serialize = leaf_serializer(shape.named, value)
            if class_decides_awaitable(value):
                shape.known[type(value)] = serialize
            return serialize(value)
        if kind == LIST:
            return self.complete_value(
                shape.graphql_type, field.details, self.info(field, path), path, value, None
            )
        if kind == ABSTRACT:
            return self.complete_abstract(field, shape, value, path)
        return self.complete_object(field, shape, value, path)

    def complete_abstract(self, field: FieldPlan, shape: Shape, value: Any, path: Path) -> Any:
        """`complete_abstract_value`, remembering the runtime type of classes that decide it."""
        abstract_type = shape.named
        info = self.info(field, path)
        resolve_type = abstract_type.resolve_type or self.type_resolver
        runtime_type_name = resolve_type(value, info, abstract_type)
        if self.is_awaitable(runtime_type_name):

            async def await_complete_object_value() -> Any:
                runtime_type = self.ensure_valid_runtime_type(
                    await self.with_abort_signal(runtime_type_name), abstract_type, field.details, info, value
                )
                completed = self.complete_object_value(runtime_type, field.details, info, path, value, None)
                return await completed if self.is_awaitable(completed) else completed

            return await_complete_object_value()
        runtime_type = self.ensure_valid_runtime_type(
            runtime_type_name, abstract_type, field.details, info, value
        )
        runtime_shape = shape.object_shape(runtime_type)
        completed = self.complete_object(field, runtime_shape, value, path)
        interface = shape.by_class_interface
        ready = runtime_shape.known.get(type(value))
        if (
            ready is not None
            and interface is not None
            and isinstance(value, interface)
            and getattr(value, TYPE_CAST_ATTRIBUTE, None) is None
            and not type(value).__strawberry_definition__.is_graphql_generic  # type: ignore[attr-defined]
        ):
            # strawberry's generated resolve_type names the value's own (non-generic) type.
            shape.known[type(value)] = ready
        return completed

    def complete_object(self, field: FieldPlan, shape: Shape, value: Any, path: Path) -> Any:
        """`complete_object_value` for a value not met before: the is_type_of check, then the plan."""
        object_type: GraphQLObjectType = shape.named
        check = shape.type_check
        if check == CHECK_EACH:
            info = self.info(field, path)
            return self.complete_object_value(object_type, field.details, info, path, value, None)
        if check == CHECK_BY_CLASS:
            assert object_type.is_type_of is not None
            if not object_type.is_type_of(value, self.info(field, path)):
                raise invalid_return_type_error(object_type, value, field.details)
        plan = shape.plan
        if plan is UNCOMPILED:
            plan = shape.plan = planned(self, object_type, field.details)
        if not isinstance(plan, ObjectPlan):
            return super().collect_and_execute_subfields(object_type, field.details, path, value, None)
        if class_decides_awaitable(value) and getattr(value, TYPE_CAST_ATTRIBUTE, None) is None:
            shape.known[type(value)] = plan
        return self.run_plan(plan, value, path)

    def complete_list(
        self, field: FieldPlan, shape: Shape, items: list[Any] | tuple[Any, ...], path: Path
    ) -> Any:
        """`complete_iterable_value` over a plain list, completing each item from the item's shape."""
        item_shape: Any = shape.item
        known = item_shape.known
        cast_check = item_shape.cast_check
        composite = item_shape.kind != LEAF
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        iterator: Iterator[Any] = iter(items)
        index = 0
        try:
            if not composite:
                # Leaves of a class met before need no path unless their serializer raises.
                identity = item_shape.identity_class
                for item in iterator:
                    try:
                        if type(item) is identity:
                            append(item)
                        elif (serialize := known.get(type(item))) is not None:
                            append(serialize(item))
                        else:
                            item_path = new_path(Path, (path, index, None))
                            completed = self.complete(field, item_shape, item, item_path)
                            if is_awaitable(completed):
                                completed = self.await_completed(
                                    completed, field, item_shape.graphql_type, item_path
                                )
                                awaitable_indices.append(index)
                            append(completed)
                    except Exception as raw_error:
                        item_path = new_path(Path, (path, index, None))
                        self.handle_field_error(raw_error, item_shape.graphql_type, field.details, item_path)
                        append(None)
                    index += 1
            for item in iterator:
                item_path = new_path(Path, (path, index, None))
                try:
                    ready = known.get(type(item))
                    if ready is not None and not (
                        cast_check and getattr(item, TYPE_CAST_ATTRIBUTE, None) is not None
                    ):
                        completed = self.run_plan(ready, item, item_path)
                    else:
                        completed = self.complete(field, item_shape, item, item_path)
                    if is_awaitable(completed):
                        completed = self.await_completed(completed, field, item_shape.graphql_type, item_path)
                        awaitable_indices.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_shape.graphql_type, field.details, item_path)
                    completed = None
                append(completed)
                index += 1
        except Exception:
            pending = [completed_results[index] for index in awaitable_indices]
            pending.extend(collect_iterator_awaitables(iterator, is_awaitable))
            if pending:
                self.settle_in_background(pending)
            raise

        if not awaitable_indices:
            return completed_results

        return settle(completed_results, awaitable_indices)
