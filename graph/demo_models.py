"""Demo model blocks: one model source with its datasets, runs, binaries, deployments and values.

`ModelBlocks` holds the generator's state; `graph.demo` fills the team and feature pools it draws on.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from graph import demo_metrics
from graph.demo_metrics import Record, stamp

UNOWNED_SHARE = 0.015
WINDOWS = ("1h", "1d", "7d", "28d")
TASKS = (
    ("ctr_ranker", "ranking"),
    ("spam_classifier", "classification"),
    ("ltv_regressor", "regression"),
    ("candidate_recommender", "recommendation"),
    ("demand_forecaster", "forecasting"),
    ("fraud_detector", "anomaly detection"),
    ("content_embedder", "embedding"),
)
TRAINERS = ("fblearner", "kubeflow", "mlflow")
SERVERS = ("inference", "sagemaker", "seldon")
REGIONS = ("us-east", "us-west", "eu-west", "ap-south")
# (days since the newest good training, days between trainings): fresh < 30, stale > 90.
CADENCES = {
    "fresh": ((0.5, 25.0), (5.0, 21.0)),
    "aging": ((35.0, 80.0), (20.0, 45.0)),
    "stale": ((100.0, 400.0), (30.0, 90.0)),
}


class ModelBlocks:
    """The generator's state and the per-model part of the demo graph."""

    def __init__(self, models: int, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.models = models
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self.teams: list[str] = []
        self.groups: list[str] = []
        self.domains: dict[str, str] = {}
        self.sources: list[tuple[str, str, datetime]] = []  # key, name, created
        self.features: list[str] = []
        self.cycles = 0

    def _ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def _not_after_now(self, moment: datetime) -> datetime:
        return min(moment, self.now - timedelta(minutes=5))

    def _owner(self) -> str:
        return self.rng.choice(self.groups if self.rng.random() < 0.05 else self.teams)

    def _entity(
        self, entity_type: str, key: str, name: str, owner: str | None, system: str, created: datetime
    ) -> Record:
        record: Record = {"type": entity_type, "key": key, "name": name}
        if owner is not None and self.rng.random() >= UNOWNED_SHARE:
            record["owner"] = owner
        record["system"] = system
        record["created_at"] = stamp(created)
        return record

    def model(self, index: int) -> Iterator[Record]:
        """One model source with its datasets, runs, binaries, deployments and their metric values."""
        rng = self.rng
        owner = self._owner()
        task, purpose = rng.choice(TASKS)
        name = f"{self.domains[owner]}_{task}_{index}"
        trainer = rng.choice(TRAINERS)
        since, every = CADENCES[rng.choices(tuple(CADENCES), weights=(55, 20, 25))[0]]
        last_finished = self._ago(rng.uniform(*since))
        interval = rng.uniform(*every)
        finishes = [
            last_finished - timedelta(days=interval * step * rng.uniform(0.85, 1.15))
            for step in reversed(range(rng.randint(2, 7)))
        ]
        created = finishes[0] - timedelta(days=rng.uniform(5, 60))
        model = f"ms/{index:05d}"
        values = list(demo_metrics.model_source_values(rng, model, created, self.now))
        entities = self._datasets(index, name, owner, created)
        entities.append(
            self._entity("ModelSource", model, name, owner, trainer, created)
            | {"purpose": purpose, "repository": f"git://models/{self.domains[owner]}/{task}_{index}"}
        )
        binaries: list[tuple[str, datetime]] = []
        quality = rng.uniform(0.74, 0.95)
        datasets = [record["key"] for record in entities if record["type"] == "TrainingDataset"]
        for position, (status, started, finished) in enumerate(self._runs(finishes, last_finished, interval)):
            run = f"run/{index:05d}-{position:02d}"
            record = self._entity("WorkflowRun", run, f"train_{name}", owner, trainer, started) | {
                "model_source": model,
                # Every run trains the primary dataset, which a feedback loop below may extend.
                "datasets": datasets[:1] + [extra for extra in datasets[1:] if rng.random() < 0.6],
                "status": status,
                "started_at": stamp(started),
            }
            if finished is not None:
                record["finished_at"] = stamp(finished)
            entities.append(record)
            if status == "SUCCEEDED" and finished is not None:
                for variant in range(1 if rng.random() < 0.7 else 2):
                    version = len(binaries) + 1
                    made = finished + timedelta(minutes=rng.uniform(5, 30) + 45 * variant)
                    binary = f"mb/{index:05d}-{version}"
                    record = self._entity("ModelBinary", binary, f"{name}_v{version}", owner, trainer, made)
                    entities.append(record | {"run": run, "version": str(version)})
                    binaries.append((binary, made))
                    accuracy = quality + 0.004 * version
                    values.extend(demo_metrics.binary_values(rng, binary, made, accuracy, self.now))
        if binaries and rng.random() >= 0.08:
            entities.extend(self._deployments(index, name, owner, binaries, entities[0], values))
        yield from entities
        yield from values

    def _datasets(self, index: int, name: str, owner: str, created: datetime) -> list[Record]:
        """One or two training datasets per model, composed from the shared feature pool."""
        rng = self.rng
        records: list[Record] = []
        for number in range(rng.randint(1, 2)):
            suffix = "" if number == 0 else f"_{number + 1}"
            made = created + timedelta(days=rng.uniform(1, 4))
            key = f"ds/{index:05d}-{number}"
            record = self._entity("TrainingDataset", key, f"{name}_train{suffix}", owner, "dataswarm", made)
            features = rng.sample(self.features, k=min(len(self.features), rng.randint(3, 7)))
            records.append(record | {"row_count": int(rng.lognormvariate(16, 1.5)), "features": features})
        return records

    def _runs(
        self, finishes: list[datetime], last_finished: datetime, interval: float
    ) -> list[tuple[str, datetime, datetime | None]]:
        """(status, started, finished) per run: the newest finished one succeeds, earlier ones may fail."""
        rng = self.rng
        runs: list[tuple[str, datetime, datetime | None]] = []
        for position, finished in enumerate(finishes):
            status = "FAILED" if position < len(finishes) - 1 and rng.random() < 0.15 else "SUCCEEDED"
            runs.append((status, finished - timedelta(hours=rng.uniform(1, 12)), finished))
        quiet = self.now - last_finished
        if quiet > timedelta(days=2) and rng.random() < 0.08:
            started = last_finished + quiet * rng.uniform(0.3, 0.9)
            runs.append(
                ("FAILED", started, self._not_after_now(started + timedelta(hours=rng.uniform(0.5, 3))))
            )
        if interval < 45 and rng.random() < 0.12:
            runs.append(("RUNNING", self.now - timedelta(hours=rng.uniform(1, 20)), None))
        return runs

    def _deployments(
        self,
        index: int,
        name: str,
        owner: str,
        binaries: list[tuple[str, datetime]],
        primary_dataset: Record,
        values: list[Record],
    ) -> list[Record]:
        """Production (sometimes with a canary), staging and shadow deployments, and feedback logs."""
        rng = self.rng
        newest, newest_made = binaries[-1]
        serving = [(newest, 100, "CONTROL")]
        if len(binaries) >= 2 and rng.random() < 0.35:
            share = rng.choice((5, 10, 20))
            serving = [(binaries[-2][0], 100 - share, "CONTROL"), (newest, share, "CANARY")]
        made = dict(binaries)
        region = rng.choice(REGIONS)
        production_started = self._not_after_now(binaries[0][1] + timedelta(days=rng.uniform(0.5, 3)))
        retired = self.now - newest_made > timedelta(days=90) and rng.random() < 0.25
        plans = [("prod", region, rng.choice(("RETIRED", "ROLLED_BACK")) if retired else "ACTIVE", serving)]
        if rng.random() < 0.35:
            plans.append(("staging", region, "ACTIVE", [(newest, 100, "CONTROL")]))
        if rng.random() < 0.1:
            shadow_region = rng.choice([other for other in REGIONS if other != region])
            plans.append(("prod", shadow_region, "CANARY", [(newest, 1, "CANARY")]))
        server = rng.choice(SERVERS)
        records: list[Record] = []
        for number, (environment, where, status, entries) in enumerate(plans):
            key = f"dep/{index:05d}-{number}"
            started = (
                production_started if number == 0 else self._not_after_now(newest_made + timedelta(hours=2))
            )
            record = self._entity(
                "ModelDeployment", key, f"{name}_{environment}_{where}", owner, server, started
            )
            records.append(
                record
                | {
                    "environment": environment,
                    "region": where,
                    "status": status,
                    "binaries": [
                        {"binary": binary, "traffic_percent": traffic, "role": role}
                        for binary, traffic, role in entries
                    ],
                    "started_at": stamp(started),
                }
            )
            if status in ("ACTIVE", "CANARY"):
                serving_age = (self.now - made[entries[0][0]]).total_seconds() / 86_400
                values.extend(demo_metrics.deployment_values(rng, key, started, serving_age, self.now))
            if number == 0 and status == "ACTIVE" and (self.cycles == 0 or rng.random() < 0.25):
                records.extend(self._feedback_loop(index, name, owner, key, started, primary_dataset, values))
        return records

    def _feedback_loop(
        self,
        index: int,
        name: str,
        owner: str,
        deployment: str,
        started: datetime,
        dataset: Record,
        values: list[Record],
    ) -> list[Record]:
        """The deployment's inference logs become a source of a feature its own model trains on: a cycle."""
        rng = self.rng
        self.cycles += 1
        source, feature = f"fs/log-{index:05d}", f"lf/log-{index:05d}"
        logged = self._not_after_now(started + timedelta(days=1))
        log = self._entity("FeatureSource", source, f"{name}_inference_logs", owner, "scribe", logged)
        log |= {"kind": "LOG", "uri": f"scribe://inference/{name}", "logged_from": [deployment]}
        window = rng.choice(WINDOWS)
        feedback_feature = self._entity(
            "LogicalFeature", feature, f"{name}_feedback_{window}", owner, "feature-store", logged
        )
        feedback_feature |= {
            "description": f"labels joined from {name} inference logs over {window}",
            "sources": [source],
        }
        dataset["features"].append(feature)
        # Later models may train on this feedback too.
        self.features.append(feature)
        values.extend(demo_metrics.feature_source_values(rng, source, rng.uniform(0.5, 4), self.now))
        return [log, feedback_feature]
