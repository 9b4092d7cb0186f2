"""Demo data: a deterministic, realistic synthetic metadata graph as interchange records (SPEC §2).

`demo_records` yields the records (one batch's worth), `write_demo_jsonl` streams them to a file.
The same seed and `now` always give the same records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph import demo_metrics
from graph.demo_metrics import Record
from graph.demo_models import WINDOWS, ModelBlocks
from graph.models import Entity

# Ages are measured from a fixed moment, not the wall clock, so a seed always gives the same file.
DEFAULT_NOW = datetime(2026, 11, 1, tzinfo=UTC)

ORGS = (
    ("commerce", "Commerce", (("ads", "Ads"), ("marketplace", "Marketplace"), ("payments", "Payments"))),
    ("consumer", "Consumer", (("feed", "Feed"), ("search", "Search"), ("messaging", "Messaging"))),
    (
        "platform",
        "Platform",
        (("infra", "Infrastructure"), ("integrity", "Integrity"), ("ml", "ML Platform")),
    ),
)
TEAM_NAMES = ("ranking", "signals", "quality", "retrieval", "growth", "core", "experiments", "understanding")
SQUAD_NAMES = ("alpha", "bravo", "charlie")
NOUNS = (
    "clicks",
    "impressions",
    "sessions",
    "users",
    "orders",
    "searches",
    "messages",
    "payments",
    "listings",
)
QUALIFIERS = ("raw", "daily", "hourly", "dim", "events", "snapshot")
AGGREGATIONS = ("count", "sum", "mean", "ratio", "distinct")
SOURCE_KINDS = ("TABLE", "STREAM", "API", "OTHER")


def demo_records(models: int = 100, seed: int = 7, now: datetime = DEFAULT_NOW) -> Iterator[Record]:
    """The demo graph's records, teams and metric definitions first, then one block per model."""
    return _DemoGraph(models, seed, now).records()


def expected_counts(records: Iterable[Record]) -> dict[str, int]:
    """How many records of each type: what ingesting them into an empty database must create."""
    return dict(Counter(str(record["type"]) for record in records))


def write_demo_jsonl(
    path: str | Path, models: int = 100, seed: int = 7, now: datetime = DEFAULT_NOW
) -> dict[str, int]:
    """Stream the demo graph to a JSON Lines file; returns the record counts per type."""
    counts: Counter[str] = Counter()
    with Path(path).open("wb") as output:
        for record in demo_records(models, seed, now):
            counts[record["type"]] += 1
            output.write(orjson.dumps(record) + b"\n")
    return dict(counts)


async def graph_is_empty(engine: AsyncEngine) -> bool:
    """True while the database holds no entity (where `aigraph demo --if-empty` may load)."""
    async with engine.connect() as connection:
        return (await connection.execute(select(Entity.id).limit(1))).first() is None


class _DemoGraph(ModelBlocks):
    def records(self) -> Iterator[Record]:
        yield from self._teams()
        yield from demo_metrics.metric_records()
        yield from self._feature_sources()
        yield from self._logical_features()
        for index in range(self.models):
            yield from self.model(index)

    def _teams(self) -> Iterator[Record]:
        rng = self.rng
        per_group = max(4, self.models // 25) / 7.5
        for org_key, org_name, groups in ORGS:
            yield {"type": "Team", "key": f"org/{org_key}", "name": org_name}
            for group_key, group_name in rng.sample(groups, k=rng.randint(2, 3)):
                group = f"group/{group_key}"
                self.groups.append(group)
                self.domains[group] = group_key
                yield {"type": "Team", "key": group, "name": group_name, "parent": f"org/{org_key}"}
                for position in range(max(1, round(per_group * rng.uniform(0.6, 1.4)))):
                    base = TEAM_NAMES[position % len(TEAM_NAMES)]
                    suffix = "" if position < len(TEAM_NAMES) else f"-{position // len(TEAM_NAMES) + 1}"
                    team = f"team/{group_key}/{base}{suffix}"
                    yield {
                        "type": "Team",
                        "key": team,
                        "name": f"{group_name} {base.title()}{suffix}",
                        "parent": group,
                    }
                    self.teams.append(team)
                    self.domains[team] = group_key
                    # Some teams split into squads, so the hierarchy is not the same depth everywhere.
                    if rng.random() < 0.2:
                        for squad_name in SQUAD_NAMES[: rng.randint(1, 2)]:
                            squad = f"{team}/{squad_name}"
                            yield {
                                "type": "Team",
                                "key": squad,
                                "name": f"{squad_name.title()} squad",
                                "parent": team,
                            }
                            self.teams.append(squad)
                            self.domains[squad] = group_key

    def _feature_sources(self) -> Iterator[Record]:
        rng = self.rng
        for index in range(max(8, self.models * 3 // 5)):
            kind = rng.choices(SOURCE_KINDS, weights=(60, 25, 10, 5))[0]
            name = f"{rng.choice(NOUNS)}_{rng.choice(QUALIFIERS)}"
            system, uri, lag_hours = {
                "TABLE": ("hive", f"hive://warehouse/{name}_{index}", rng.uniform(6, 60)),
                "STREAM": ("kafka", f"kafka://events/{name}_{index}", rng.uniform(0.05, 2)),
                "API": ("rest", f"https://api.internal/{name}/{index}", rng.uniform(1, 30)),
                "OTHER": ("s3", f"s3://datalake/{name}/{index}", rng.uniform(24, 200)),
            }[kind]
            key = f"fs/{index:05d}"
            created = self._ago(rng.uniform(300, 720))
            self.sources.append((key, name, created))
            # The first source never has an owner, so even the smallest demo has an unowned entity.
            record = self._entity(
                "FeatureSource", key, name, None if index == 0 else self._owner(), system, created
            )
            yield record | {"kind": kind, "uri": uri}
            yield from demo_metrics.feature_source_values(rng, key, lag_hours, self.now)

    def _logical_features(self) -> Iterator[Record]:
        rng = self.rng
        for index in range(max(12, self.models * 3 // 2)):
            sources = rng.sample(self.sources, k=rng.randint(1, 3))
            aggregation, window = rng.choice(AGGREGATIONS), rng.choice(WINDOWS)
            name = f"{sources[0][1].split('_')[0]}_{aggregation}_{window}"
            created = max(created for _, _, created in sources) + timedelta(days=rng.uniform(1, 60))
            key = f"lf/{index:05d}"
            self.features.append(key)
            record = self._entity("LogicalFeature", key, name, self._owner(), "feature-store", created)
            yield record | {
                "description": f"{aggregation} of {sources[0][1]} over {window}",
                "sources": [source_key for source_key, _, _ in sources],
            }
