"""GraphQL types and resolvers of metrics (SPEC §4): definitions, results, scorecards, rollups.

Resolvers call `metrics/` with a connection of their own and turn its dataclasses into these types;
`Entity.metrics` goes through `MetricsByEntityIdLoader`, so a list of entities costs one batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from api.context import Info
from api.errors import UserError
from api.metric_loaders import MetricsByEntityIdLoader
from api.types.described import resolver
from api.types.enums import EntityType, MetricCategory
from metrics import buckets as bucketing
from metrics import definitions, frameworks, rollup, scorecard, values

if TYPE_CHECKING:
    from api.types.entities import Team

Answer = TypeVar("Answer")


async def _ask(info: Info, question: Callable[[AsyncConnection], Awaitable[Answer]]) -> Answer:
    """Run one metrics computation on a connection of its own; errors the caller can fix are shown."""
    async with info.context.engine.connect() as connection:
        try:
            return await question(connection)
        except definitions.MetricsError as error:
            raise UserError(str(error)) from error


@strawberry.type(
    description="A bucket: values under `below` (the first such bucket) get its label and score."
)
class Bucket:
    label: str = strawberry.field(description="The bucket's label, e.g. FRESH or POOR.")
    below: float | None = strawberry.field(
        description="Values under this fall here; null on the last bucket."
    )
    score: float = strawberry.field(description="The comparable score of this bucket, between 0 and 1.")

    @classmethod
    def from_bucket(cls, bucket: bucketing.Bucket) -> Bucket:
        return cls(label=bucket.label, below=bucket.below, score=bucket.score)


@strawberry.type(description="A bucketed metric: whatever its unit, every value maps to a label and a score.")
class MetricDefinition:
    key: str = strawberry.field(description="Unique metric key, e.g. retraining_recency_days.")
    name: str = strawberry.field(description="Human-readable name.")
    description: str | None = strawberry.field(description="What the metric measures.")
    category: MetricCategory = strawberry.field(description="The family the metric belongs to.")
    entity_type: EntityType | None = strawberry.field(
        description="The entity type it applies to; null when it applies to every type."
    )
    unit: str | None = strawberry.field(description="Unit of the values, e.g. days, ratio, bool.")
    higher_is_better: bool | None = strawberry.field(description="Whether larger values are better.")
    buckets: list[Bucket] = strawberry.field(description="Ordered buckets; the last one is open-ended.")
    derived: bool = strawberry.field(description="Computed from the graph itself rather than ingested.")

    @classmethod
    def from_definition(cls, definition: definitions.Definition) -> MetricDefinition:
        return cls(
            key=definition.key,
            name=definition.name,
            description=definition.description,
            category=MetricCategory(definition.category),
            entity_type=None if definition.entity_type is None else EntityType(definition.entity_type),
            unit=definition.unit,
            higher_is_better=definition.higher_is_better,
            buckets=[Bucket.from_bucket(bucket) for bucket in definition.buckets],
            derived=definition.derived,
        )


@strawberry.type(description="A metric on one entity: its latest value at or before asOf, bucketed.")
class MetricResult:
    metric: MetricDefinition = strawberry.field(description="The metric measured.")
    value: float | None = strawberry.field(description="The value; null when there is no data.")
    bucket: str | None = strawberry.field(description="The label of the bucket the value falls in.")
    score: float | None = strawberry.field(description="The score of that bucket, between 0 and 1.")
    observed_at: datetime | None = strawberry.field(
        description="When the value was observed (asOf for derived metrics)."
    )

    @classmethod
    def from_result(cls, result: values.MetricResult) -> MetricResult:
        return cls(
            metric=MetricDefinition.from_definition(result.definition),
            value=result.value,
            bucket=result.bucket,
            score=result.score,
            observed_at=result.observed_at,
        )


@strawberry.type(description="A framework node evaluated for one entity.")
class ScoreNode:
    name: str = strawberry.field(description="The node's name in the framework.")
    weight: float = strawberry.field(description="The node's weight in its parent's MEAN.")
    score: float | None = strawberry.field(description="Score between 0 and 1; null when there is no data.")
    bucket: str | None = strawberry.field(description="The framework's label for the score.")
    metric: MetricResult | None = strawberry.field(
        description="On a leaf: the metric's result (for a MEAN reduction, the mean value and score)."
    )
    children: list[ScoreNode] = strawberry.field(description="The nodes this one aggregates.")

    @classmethod
    def from_node(cls, node: scorecard.ScoreNode) -> ScoreNode:
        return cls(
            name=node.name,
            weight=node.weight,
            score=node.score,
            bucket=node.bucket,
            metric=None if node.metric is None else MetricResult.from_result(node.metric),
            children=[cls.from_node(child) for child in node.children],
        )


@strawberry.type(description="How many entities of a rollup node fall in a bucket.")
class BucketCount:
    label: str = strawberry.field(description="A bucket label, or NO_DATA for entities without a score.")
    count: int = strawberry.field(description="How many entities have that label.")


@strawberry.type(description="Scores aggregated over a team and every team under it.")
class RollupNode:
    entity_count: int = strawberry.field(
        description="Entities of the type owned by the team or its descendants, created at or before asOf."
    )
    mean_score: float | None = strawberry.field(description="Mean of their scores that are not null.")
    buckets: list[BucketCount] = strawberry.field(
        description="Counts per label, in bucket order, NO_DATA last; zero counts included."
    )
    children: list[RollupNode] = strawberry.field(description="One node per child team, by team key.")
    team_id: strawberry.Private[int | None]

    @resolver(description="The team; null on the root that covers every entity, owned or not.")
    async def team(self, info: Info) -> Annotated[Team, strawberry.lazy("api.types.entities")] | None:
        from api.types.entities import Team  # entities will import this module for Entity.metrics

        if self.team_id is None:
            return None
        row = await info.context.loaders.team_by_id.load(self.team_id)
        return None if row is None else Team.from_row(row)

    @classmethod
    def from_node(cls, node: rollup.RollupNode) -> RollupNode:
        return cls(
            entity_count=node.entity_count,
            mean_score=node.mean_score,
            buckets=[BucketCount(label=count.label, count=count.count) for count in node.buckets],
            children=[cls.from_node(child) for child in node.children],
            team_id=node.team_id,
        )


@strawberry.enum(description="How an inner framework node combines the scores of its children.")
class Aggregate(Enum):
    MEAN = strawberry.enum_value("MEAN", description="Weighted mean over the children that have a score.")
    MIN = strawberry.enum_value("MIN", description="The lowest child score.")
    MAX = strawberry.enum_value("MAX", description="The highest child score.")


@strawberry.enum(description="Where a framework leaf measures its metric, from the framework's entity.")
class Via(Enum):
    SELF = strawberry.enum_value("SELF", description="The entity itself.")
    LATEST_BINARY = strawberry.enum_value("LATEST_BINARY", description="The newest binary.")
    BINARIES = strawberry.enum_value("BINARIES", description="Every binary.")
    RUNS = strawberry.enum_value("RUNS", description="Every workflow run.")
    DEPLOYMENTS = strawberry.enum_value("DEPLOYMENTS", description="Every deployment.")
    DATASETS = strawberry.enum_value("DATASETS", description="Every training dataset.")


@strawberry.enum(description="How a leaf combines the scores of the entities its via reaches.")
class Reduce(Enum):
    WORST = strawberry.enum_value("WORST", description="The lowest score.")
    BEST = strawberry.enum_value("BEST", description="The highest score.")
    MEAN = strawberry.enum_value("MEAN", description="The mean score (and mean value).")


@strawberry.type(description="A node of a framework's tree: inner nodes aggregate, leaves name a metric.")
class FrameworkNode:
    name: str = strawberry.field(description="The node's name.")
    weight: float = strawberry.field(description="Weight in the parent's MEAN (default 1).")
    aggregate: Aggregate | None = strawberry.field(description="On an inner node: how children combine.")
    metric_key: str | None = strawberry.field(description="On a leaf: the key of the metric it measures.")
    via: Via | None = strawberry.field(description="On a leaf: where the metric is measured.")
    reduce: Reduce | None = strawberry.field(description="On a leaf: how reached entities combine.")
    children: list[FrameworkNode] = strawberry.field(description="The nodes under this one.")

    @classmethod
    def from_node(cls, node: frameworks.FrameworkNode) -> FrameworkNode:
        leaf = node.metric is not None
        return cls(
            name=node.name,
            weight=node.weight,
            aggregate=None if leaf else Aggregate(node.aggregate),
            metric_key=node.metric,
            via=Via(node.via) if leaf else None,
            reduce=Reduce(node.reduce) if leaf else None,
            children=[cls.from_node(child) for child in node.children],
        )


@strawberry.type(description="A tree of weighted metrics that scores entities of one type.")
class MetricFramework:
    key: str = strawberry.field(description="Unique framework key, e.g. model_maturity.")
    name: str = strawberry.field(description="Human-readable name.")
    description: str | None = strawberry.field(description="What the framework assesses.")
    entity_type: EntityType = strawberry.field(description="The type of entity it scores.")
    buckets: list[Bucket] = strawberry.field(description="Buckets that label the score of every node.")
    root: FrameworkNode = strawberry.field(description="The root of the tree.")

    @classmethod
    def from_framework(cls, framework: frameworks.Framework) -> MetricFramework:
        return cls(
            key=framework.key,
            name=framework.name,
            description=framework.description,
            entity_type=EntityType(framework.entity_type),
            buckets=[Bucket.from_bucket(bucket) for bucket in framework.buckets],
            root=FrameworkNode.from_node(framework.root),
        )


AsOf = Annotated[
    datetime | None,
    strawberry.argument(
        description="The instant to evaluate at (default now); later entities and values are ignored."
    ),
]
Under = Annotated[
    str | None,
    strawberry.argument(description="A team key: roll up that team's subtree (default: every entity)."),
]
Keys = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Metric keys (default: every metric that applies); unknown keys are errors."
    ),
]
Category = Annotated[MetricCategory | None, strawberry.argument(description="Only metrics of this category.")]


def metrics_loader(info: Info) -> MetricsByEntityIdLoader:
    """The request's loader: the context's own once wired there, else one made for this request."""
    loaders: Any = info.context.loaders
    loader = getattr(loaders, "metrics_by_entity_id", None)
    if loader is None:
        loader = MetricsByEntityIdLoader(info.context.engine)
        loaders.metrics_by_entity_id = loader
    return loader


async def entity_metrics(
    root: Any, info: Info, keys: Keys = None, category: Category = None, as_of: AsOf = None
) -> list[MetricResult]:
    """Resolver of `Entity.metrics`: one result per requested metric that applies to the entity's type."""
    key = (
        root.row_id,
        None if keys is None else tuple(keys),
        None if category is None else str(category.value),
        as_of,
    )
    return [MetricResult.from_result(result) for result in await metrics_loader(info).load(key)]


@strawberry.type(description="Reads of metrics, scorecards and rollups.")
class MetricsQuery:
    @resolver(description="Every metric definition, by key, optionally of one category.")
    async def metric_definitions(self, info: Info, category: Category = None) -> list[MetricDefinition]:
        wanted = None if category is None else str(category.value)
        found = await _ask(info, lambda connection: definitions.load_definitions(connection, None, wanted))
        return [MetricDefinition.from_definition(definition) for definition in found]

    @resolver(description="Every metric framework, by key.")
    async def frameworks(self, info: Info) -> list[MetricFramework]:
        found = await _ask(info, frameworks.load_frameworks)
        return [MetricFramework.from_framework(framework) for framework in found]

    @resolver(description="A framework evaluated for one entity; null if the entity did not exist at asOf.")
    async def scorecard(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="The entity key.")],
        framework: Annotated[str, strawberry.argument(description="The framework key, e.g. model_maturity.")],
        as_of: AsOf = None,
    ) -> ScoreNode | None:
        card = await _ask(info, lambda connection: scorecard.scorecard(connection, key, framework, as_of))
        return None if card is None else ScoreNode.from_node(card)

    @resolver(description="A framework's scores rolled up over the team hierarchy.")
    async def rollup(
        self,
        info: Info,
        framework: Annotated[str, strawberry.argument(description="The framework key, e.g. model_maturity.")],
        under: Under = None,
        as_of: AsOf = None,
    ) -> RollupNode:
        rolled = await _ask(info, lambda connection: rollup.rollup(connection, framework, under, as_of))
        return RollupNode.from_node(rolled)

    @resolver(description="One metric's scores rolled up over the team hierarchy.")
    async def metric_rollup(
        self,
        info: Info,
        metric: Annotated[
            str, strawberry.argument(description="The metric key, e.g. retraining_recency_days.")
        ],
        under: Under = None,
        as_of: AsOf = None,
    ) -> RollupNode:
        rolled = await _ask(info, lambda connection: rollup.metric_rollup(connection, metric, under, as_of))
        return RollupNode.from_node(rolled)
