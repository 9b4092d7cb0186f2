"""The serving process tunes its garbage collector once the app has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from api.app import create_app
from api.collector import YOUNG_THRESHOLD


@pytest.fixture
def collector_restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


async def test_starting_the_app_freezes_startup_objects_and_raises_the_young_threshold(
    sqlite_url: str, collector_restored: None
) -> None:
    gc.unfreeze()
    _, middle, old = gc.get_threshold()
    app = create_app(sqlite_url)
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
        # The schema, its plans and every module loaded so far are out of the collector's way.
        assert gc.get_freeze_count() > 10_000
