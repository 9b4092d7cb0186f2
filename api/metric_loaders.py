"""The per-request DataLoader behind `Entity.metrics`: every sibling entity's metrics in one batch."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from api.errors import UserError
from metrics.definitions import MetricsError
from metrics.values import MetricResult, entity_metrics

# (entity id, requested keys or None for all, category or None, asOf or None for now)
MetricsKey = tuple[int, tuple[str, ...] | None, str | None, datetime | None]
Arguments = tuple[tuple[str, ...] | None, str | None, datetime | None]


class MetricsByEntityIdLoader(DataLoader[MetricsKey, list[MetricResult]]):
    """Metric results by entity id and field arguments; one `entity_metrics` call per distinct arguments.

    Sibling entities ask with the same arguments, so a level of a query is one group: a fixed
    number of statements however many entities it has.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(load_fn=self._load)
        self.engine = engine

    async def _load(self, keys: list[MetricsKey]) -> list[list[MetricResult] | BaseException]:
        groups: dict[Arguments, list[int]] = defaultdict(list)
        for entity_id, metric_keys, category, as_of in keys:
            groups[(metric_keys, category, as_of)].append(entity_id)
        found: dict[MetricsKey, list[MetricResult]] = {}
        failed: dict[Arguments, BaseException] = {}
        async with self.engine.connect() as connection:
            for arguments, entity_ids in groups.items():
                metric_keys, category, as_of = arguments
                try:
                    results = await entity_metrics(connection, entity_ids, metric_keys, category, as_of)
                except MetricsError as error:
                    # The caller can fix it (an unknown key): show the message on every field asking.
                    failed[arguments] = UserError(str(error))
                    continue
                for entity_id, answers in results.items():
                    found[(entity_id, *arguments)] = answers
        return [failed.get(key[1:]) or found.get(key, []) for key in keys]
