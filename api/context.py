"""The per-request context: the engine and a fresh set of loaders, so no cache outlives a request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from api import loaders
from api.metric_loaders import MetricsByEntityIdLoader


class Loaders:
    """One attribute per loader, each named for what it loads and by which key.

    Each loader is made on first use: a request touches only a few of them.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @cached_property
    def entity_by_key(self) -> loaders.EntityByKeyLoader:
        return loaders.EntityByKeyLoader(self.engine)

    @cached_property
    def team_by_key(self) -> loaders.TeamByKeyLoader:
        return loaders.TeamByKeyLoader(self.engine)

    @cached_property
    def team_by_id(self) -> loaders.TeamByIdLoader:
        return loaders.TeamByIdLoader(self.engine)

    @cached_property
    def features_by_source_id(self) -> loaders.FeaturesBySourceIdLoader:
        return loaders.FeaturesBySourceIdLoader(self.engine)

    @cached_property
    def deployments_by_logged_source_id(self) -> loaders.DeploymentsByLoggedSourceIdLoader:
        return loaders.DeploymentsByLoggedSourceIdLoader(self.engine)

    @cached_property
    def sources_by_feature_id(self) -> loaders.SourcesByFeatureIdLoader:
        return loaders.SourcesByFeatureIdLoader(self.engine)

    @cached_property
    def datasets_by_feature_id(self) -> loaders.DatasetsByFeatureIdLoader:
        return loaders.DatasetsByFeatureIdLoader(self.engine)

    @cached_property
    def features_by_dataset_id(self) -> loaders.FeaturesByDatasetIdLoader:
        return loaders.FeaturesByDatasetIdLoader(self.engine)

    @cached_property
    def runs_by_dataset_id(self) -> loaders.RunsByDatasetIdLoader:
        return loaders.RunsByDatasetIdLoader(self.engine)

    @cached_property
    def runs_by_model_source_id(self) -> loaders.RunsByModelSourceIdLoader:
        return loaders.RunsByModelSourceIdLoader(self.engine)

    @cached_property
    def binaries_by_model_source_id(self) -> loaders.BinariesByModelSourceIdLoader:
        return loaders.BinariesByModelSourceIdLoader(self.engine)

    @cached_property
    def deployments_by_model_source_id(self) -> loaders.DeploymentsByModelSourceIdLoader:
        return loaders.DeploymentsByModelSourceIdLoader(self.engine)

    @cached_property
    def latest_binary_by_model_source_id(self) -> loaders.LatestBinaryByModelSourceIdLoader:
        return loaders.LatestBinaryByModelSourceIdLoader(self.engine)

    @cached_property
    def model_source_by_run_id(self) -> loaders.ModelSourceByRunIdLoader:
        return loaders.ModelSourceByRunIdLoader(self.engine)

    @cached_property
    def datasets_by_run_id(self) -> loaders.DatasetsByRunIdLoader:
        return loaders.DatasetsByRunIdLoader(self.engine)

    @cached_property
    def binaries_by_run_id(self) -> loaders.BinariesByRunIdLoader:
        return loaders.BinariesByRunIdLoader(self.engine)

    @cached_property
    def run_by_binary_id(self) -> loaders.RunByBinaryIdLoader:
        return loaders.RunByBinaryIdLoader(self.engine)

    @cached_property
    def model_source_by_binary_id(self) -> loaders.ModelSourceByBinaryIdLoader:
        return loaders.ModelSourceByBinaryIdLoader(self.engine)

    @cached_property
    def deployments_by_binary_id(self) -> loaders.DeploymentsByBinaryIdLoader:
        return loaders.DeploymentsByBinaryIdLoader(self.engine)

    @cached_property
    def binaries_by_deployment_id(self) -> loaders.BinariesByDeploymentIdLoader:
        return loaders.BinariesByDeploymentIdLoader(self.engine)

    @cached_property
    def logged_sources_by_deployment_id(self) -> loaders.LoggedSourcesByDeploymentIdLoader:
        return loaders.LoggedSourcesByDeploymentIdLoader(self.engine)

    @cached_property
    def entities_by_team_id(self) -> loaders.EntitiesByTeamIdLoader:
        return loaders.EntitiesByTeamIdLoader(self.engine)

    @cached_property
    def child_teams_by_team_id(self) -> loaders.ChildTeamsByTeamIdLoader:
        return loaders.ChildTeamsByTeamIdLoader(self.engine)

    @cached_property
    def metrics_by_entity_id(self) -> MetricsByEntityIdLoader:
        return MetricsByEntityIdLoader(self.engine)


@dataclass
class Context:
    """What every resolver may use; built anew by `get_context` for each request."""

    engine: AsyncEngine
    loaders: Loaders
    request: Request | None = None
    # Names the request in logs and in the X-Request-Id response header.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


def get_context(engine: AsyncEngine, request: Request | None = None) -> Context:
    context = Context(engine=engine, loaders=Loaders(engine), request=request)
    # The id RequestTelemetry gave the request, so logs and the X-Request-Id header agree.
    request_id = None if request is None else request.scope.get("state", {}).get("request_id")
    if isinstance(request_id, str):
        context.request_id = request_id
    return context


Info = strawberry.Info[Context, None]
