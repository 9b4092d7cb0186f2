"""The per-request context: the engine and a fresh set of loaders, so no cache outlives a request."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from api import loaders


@dataclass
class Loaders:
    """One attribute per loader, each named for what it loads and by which key."""

    engine: AsyncEngine
    entity_by_key: loaders.EntityByKeyLoader = field(init=False)
    team_by_key: loaders.TeamByKeyLoader = field(init=False)
    team_by_id: loaders.TeamByIdLoader = field(init=False)
    features_by_source_id: loaders.FeaturesBySourceIdLoader = field(init=False)
    deployments_by_logged_source_id: loaders.DeploymentsByLoggedSourceIdLoader = field(init=False)
    sources_by_feature_id: loaders.SourcesByFeatureIdLoader = field(init=False)
    datasets_by_feature_id: loaders.DatasetsByFeatureIdLoader = field(init=False)
    features_by_dataset_id: loaders.FeaturesByDatasetIdLoader = field(init=False)
    runs_by_dataset_id: loaders.RunsByDatasetIdLoader = field(init=False)
    runs_by_model_source_id: loaders.RunsByModelSourceIdLoader = field(init=False)
    binaries_by_model_source_id: loaders.BinariesByModelSourceIdLoader = field(init=False)
    deployments_by_model_source_id: loaders.DeploymentsByModelSourceIdLoader = field(init=False)
    latest_binary_by_model_source_id: loaders.LatestBinaryByModelSourceIdLoader = field(init=False)
    model_source_by_run_id: loaders.ModelSourceByRunIdLoader = field(init=False)
    datasets_by_run_id: loaders.DatasetsByRunIdLoader = field(init=False)
    binaries_by_run_id: loaders.BinariesByRunIdLoader = field(init=False)
    run_by_binary_id: loaders.RunByBinaryIdLoader = field(init=False)
    model_source_by_binary_id: loaders.ModelSourceByBinaryIdLoader = field(init=False)
    deployments_by_binary_id: loaders.DeploymentsByBinaryIdLoader = field(init=False)
    binaries_by_deployment_id: loaders.BinariesByDeploymentIdLoader = field(init=False)
    logged_sources_by_deployment_id: loaders.LoggedSourcesByDeploymentIdLoader = field(init=False)
    entities_by_team_id: loaders.EntitiesByTeamIdLoader = field(init=False)
    child_teams_by_team_id: loaders.ChildTeamsByTeamIdLoader = field(init=False)

    def __post_init__(self) -> None:
        engine = self.engine
        self.entity_by_key = loaders.EntityByKeyLoader(engine)
        self.team_by_key = loaders.TeamByKeyLoader(engine)
        self.team_by_id = loaders.TeamByIdLoader(engine)
        self.features_by_source_id = loaders.FeaturesBySourceIdLoader(engine)
        self.deployments_by_logged_source_id = loaders.DeploymentsByLoggedSourceIdLoader(engine)
        self.sources_by_feature_id = loaders.SourcesByFeatureIdLoader(engine)
        self.datasets_by_feature_id = loaders.DatasetsByFeatureIdLoader(engine)
        self.features_by_dataset_id = loaders.FeaturesByDatasetIdLoader(engine)
        self.runs_by_dataset_id = loaders.RunsByDatasetIdLoader(engine)
        self.runs_by_model_source_id = loaders.RunsByModelSourceIdLoader(engine)
        self.binaries_by_model_source_id = loaders.BinariesByModelSourceIdLoader(engine)
        self.deployments_by_model_source_id = loaders.DeploymentsByModelSourceIdLoader(engine)
        self.latest_binary_by_model_source_id = loaders.LatestBinaryByModelSourceIdLoader(engine)
        self.model_source_by_run_id = loaders.ModelSourceByRunIdLoader(engine)
        self.datasets_by_run_id = loaders.DatasetsByRunIdLoader(engine)
        self.binaries_by_run_id = loaders.BinariesByRunIdLoader(engine)
        self.run_by_binary_id = loaders.RunByBinaryIdLoader(engine)
        self.model_source_by_binary_id = loaders.ModelSourceByBinaryIdLoader(engine)
        self.deployments_by_binary_id = loaders.DeploymentsByBinaryIdLoader(engine)
        self.binaries_by_deployment_id = loaders.BinariesByDeploymentIdLoader(engine)
        self.logged_sources_by_deployment_id = loaders.LoggedSourcesByDeploymentIdLoader(engine)
        self.entities_by_team_id = loaders.EntitiesByTeamIdLoader(engine)
        self.child_teams_by_team_id = loaders.ChildTeamsByTeamIdLoader(engine)


@dataclass
class Context:
    """What every resolver may use; built anew by `get_context` for each request."""

    engine: AsyncEngine
    loaders: Loaders
    request: Request | None = None


def get_context(engine: AsyncEngine, request: Request | None = None) -> Context:
    return Context(engine=engine, loaders=Loaders(engine), request=request)


Info = strawberry.Info[Context, None]
