"""The GraphQL executor: stock graphql-core semantics, with default-resolved fields completed in plain loops.

Per-field work in the stock executor (resolve info, paths, resolver wrappers, type dispatch) costs
microseconds a field. Here an object's selection runs from a plan compiled once per document shape
(`api.executor_plans`): attribute reads, leaves through their scalar, runtime types known by class.
Every field with a resolver of its own, and every value the plan does not expect (awaitables,
unknown classes), goes through the stock machinery, which comes back here for the objects below.
Errors are handled at the same points as in the stock executor, so paths, nulls and order agree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from types import GeneratorType
from typing import Any, cast

from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import collect_iterator_awaitables, invalid_return_type_error
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from api.executor_plans import (
    ABSTRACT,
    CHECK_BY_CLASS,
    CHECK_EACH,
    COMPOSITE,
    LEAF,
    LIST,
    PLANS,
    RESOLVER,
    UNCOMPILED,
    FieldPlan,
    ObjectPlan,
    Shape,
    compile_plan,
    leaf_serializer,
)

complete_leaf_value = Executor.complete_leaf_value
# Path is a NamedTuple whose generated __new__ costs more than building the tuple directly.
new_path = cast("Callable[[type[Path], tuple[Any, Any, Any]], Path]", tuple.__new__)


def _field_path(path: Path) -> Path:
    """The path of the field a (possibly nested) list item belongs to."""
    while isinstance(path.key, int):
        assert path.prev is not None
        path = path.prev
    return path


def _class_decides_awaitable(value: Any) -> bool:
    # Whether a value is awaitable depends on its class alone, except for generator objects.
    return not isinstance(value, GeneratorType)


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
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
            key = (return_type, id(field_details_list))
            entry = self.plans_by_details.get(key)
            if entry is None:
                entry = (field_details_list, PLANS.plan(self, return_type, field_details_list))
                self.plans_by_details[key] = entry
            if entry[1] is not None:
                return self.execute_plan(entry[1], result, path)
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

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
                            completed = self.execute_plan(ready, value, field_path)
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

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                name = awaitable_fields[0]
                results[name] = await results[name]
            else:
                awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    async def await_completed(
        self, completed: Awaitable[Any], field: FieldPlan, return_type: GraphQLOutputType, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field.details, path)
            return None

    def info(self, field: FieldPlan, path: Path) -> GraphQLResolveInfo[Any]:
        return self.build_resolve_info(field.field_def, field.nodes, field.parent_type, _field_path(path))

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
            return self.execute_plan(known, value, path)
        if self.is_awaitable(value):
            return self.complete_awaitable_value(
                shape.graphql_type, field.details, self.info(field, path), path, value, None
            )
        if isinstance(value, Exception):
            raise value
        if kind == LEAF:
            serialize = leaf_serializer(shape.named, value)
            if _class_decides_awaitable(value):
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
            plan = shape.plan = compile_plan(self, object_type, field.details)
        if not isinstance(plan, ObjectPlan):
            return super().collect_and_execute_subfields(object_type, field.details, path, value, None)
        if _class_decides_awaitable(value) and getattr(value, TYPE_CAST_ATTRIBUTE, None) is None:
            shape.known[type(value)] = plan
        return self.execute_plan(plan, value, path)

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
                        completed = self.execute_plan(ready, item, item_path)
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

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                only = awaitable_indices[0]
                completed_results[only] = await completed_results[only]
            else:
                awaited = await gather_with_cancel(*(completed_results[index] for index in awaitable_indices))
                for position, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[position] = value
            return completed_results

        return get_completed_results()


__all__ = ["FastExecutor"]
