"""Object plans compiled to Python functions: the fast executor's straight-line path.

A plan whose fields are all attribute reads (leaves, objects, lists of them, `__typename`) becomes
one generated function that builds the object's result dict with no per-field dispatch: each value
is checked the way the plan checks it (a class met before, a leaf of its scalar's own class, a null
only where the type allows it) and anything else raises `Deopt`. The executor then completes that
object through its plan, which treats it exactly as the stock executor would. Doing the work again
is safe because a compiled function only reads attributes and builds dicts and lists: it never
records an error, never calls a resolver and never starts an awaitable.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any, Final

from graphql import GraphQLObjectType
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetailsList
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from api.executor_plans import (
    ABSTRACT,
    COMPOSITE,
    LEAF,
    LIST,
    OBJECT,
    TYPENAME,
    FieldPlan,
    ObjectPlan,
    Shape,
    compile_plan,
)

Compiled = Callable[[Any], dict[str, Any]]
# A plan whose compiled function keeps failing is left to the plan alone.
MAX_DEOPTS: Final = 64


class Deopt(Exception):
    """A value the compiled function does not vouch for; the plan completes the object instead."""


def planned(
    executor: Executor[Any], object_type: GraphQLObjectType, details: FieldDetailsList
) -> ObjectPlan | None:
    """The plan of a selection (see api.executor_plans), with its compiled function when it has one."""
    plan = compile_plan(executor, object_type, details)
    if plan is not None:
        plan.compiled = compile_function(plan)
    return plan


def compile_function(plan: ObjectPlan) -> Compiled | None:
    """The compiled function of a plan, or None when a field needs the executor (a resolver, nested lists)."""
    namespace: dict[str, Any] = {"Deopt": Deopt, "CAST": TYPE_CAST_ATTRIBUTE}
    lines = ["def compiled(source):", "    result = {}"]
    for index, field in enumerate(plan.fields):
        if field.kind == TYPENAME:
            lines.append(f"    result[{field.name!r}] = {plan.type_name!r}")
            continue
        shape = field.shape
        if field.kind not in (LEAF, COMPOSITE) or shape is None:
            return None
        body = _value_lines(shape, f"k{index}", namespace)
        if body is None:
            return None
        lines.append(f"    value = {_read(field, index, namespace)}")
        lines.extend(f"    {line}" for line in body)
        lines.append(f"    result[{field.name!r}] = value")
    lines.append("    return result")
    code = compile("\n".join(lines), f"<compiled plan of {plan.type_name}>", "exec")
    exec(code, namespace)
    compiled: Compiled = namespace["compiled"]
    return compiled


def _read(field: FieldPlan, index: int, namespace: dict[str, Any]) -> str:
    if field.attribute.isidentifier() and not keyword.iskeyword(field.attribute):
        return f"source.{field.attribute}"
    namespace[f"a{index}"] = field.attribute
    return f"getattr(source, a{index})"


def _value_lines(shape: Shape, name: str, namespace: dict[str, Any], var: str = "value") -> list[str] | None:
    """Statements that turn `var` into its completed form in place, or raise Deopt."""
    namespace[name] = shape.known
    null = f"{var} = None" if not shape.non_null else "raise Deopt"
    if shape.kind == LEAF:
        namespace[f"{name}_class"] = shape.identity_class
        return [
            f"if type({var}) is not {name}_class:",
            f"    serialize = {name}.get(type({var}))",
            "    if serialize is not None:",
            f"        {var} = serialize({var})",
            f"    elif {var} is None:",
            f"        {null}",
            "    else:",
            "        raise Deopt",
        ]
    if shape.kind in (OBJECT, ABSTRACT):
        cast = f" and getattr({var}, CAST, None) is None" if shape.cast_check else ""
        return [
            f"plan = {name}.get(type({var}))",
            f"if plan is not None and plan.compiled is not None{cast}:",
            f"    {var} = plan.compiled({var})",
            f"elif {var} is None:",
            f"    {null}",
            "else:",
            "    raise Deopt",
        ]
    item = shape.item
    if shape.kind != LIST or item is None or item.kind == LIST or var != "value":
        return None
    item_lines = _value_lines(item, f"{name}_item", namespace, "item")
    if item_lines is None:
        return None
    return [
        "if type(value) is list:",
        "    completed = []",
        "    for item in value:",
        *(f"        {line}" for line in item_lines),
        "        completed.append(item)",
        "    value = completed",
        "elif value is None:",
        f"    {null}",
        "else:",
        "    raise Deopt",
    ]
