"""A typed `@resolver(description)` for resolver methods, so mypy strict keeps their signatures.

`strawberry.field(description=...)` used as a decorator is typed as returning Any.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def resolver(description: str) -> Callable[[Resolver], Resolver]:
    return cast("Callable[[Resolver], Resolver]", strawberry.field(description=description))
