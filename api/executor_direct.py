"""Values that serialize themselves: a class registers a compiler of its selections' result dicts.

Some answers hold their data in a form far cheaper to serialize than the objects the schema
describes (a lineage walk's rows, say). Their class registers a compiler here; given the executor
and the plan of a selection (api.executor_plans), it returns a function that turns a value of the
class into the selection's result dict, or None when the selection asks for anything it cannot
produce exactly as the executor would (a resolver, a stored attribute). The function is compiled
once per plan and class. A value it cannot serve (the function raises) is completed through the
plan instead, from the attributes its class exposes, so the answer is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from graphql.execution import Executor

from api.executor_plans import ObjectPlan

Builder = Callable[[Any], dict[str, Any]]
Compiler = Callable[[Executor[Any], ObjectPlan], Builder | None]

COMPILERS: dict[type, Compiler] = {}
NOT_COMPILED: Final = object()


def serves_directly(cls: type) -> Callable[[Compiler], Compiler]:
    """Registers the decorated function as the compiler of `cls`'s selections."""

    def register(compiler: Compiler) -> Compiler:
        COMPILERS[cls] = compiler
        return compiler

    return register


def direct_builder(executor: Executor[Any], plan: ObjectPlan, cls: type) -> Builder | None:
    """The compiled builder of `cls`'s values under `plan`, or None when the class cannot serve it."""
    compiler = COMPILERS.get(cls)
    if compiler is None:
        return None
    builder = plan.direct.get(cls, NOT_COMPILED)
    if builder is NOT_COMPILED:
        builder = plan.direct[cls] = compiler(executor, plan)
    return builder  # type: ignore[no-any-return]


def direct_result(executor: Executor[Any], plan: ObjectPlan, value: Any) -> dict[str, Any] | None:
    """The result dict of `value` under `plan` from its class's compiled builder, or None."""
    builder = direct_builder(executor, plan, type(value))
    if builder is None:
        return None
    try:
        return builder(value)
    except Exception:
        # A value the builder does not vouch for: the plan completes it, errors and all.
        return None
