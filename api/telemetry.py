"""Prometheus series of the API: requests and latency, errors by kind, records ingested; served at /metrics.

Each process keeps its own registry. With several workers, set PROMETHEUS_MULTIPROC_DIR to an empty
directory writable by all of them (emptied before each start): the workers then share their samples
through it and any worker's /metrics reports the sum.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from api.errors import should_mask
from graph.ingest import IngestSummary

ERROR_KINDS: Final = ("auth", "limit", "bad_request", "validation", "internal", "ingest_rejected")
# Operation names come from clients: past this many distinct names, new ones share one label so
# that a client inventing names cannot grow the series without bound.
MAX_OPERATION_NAMES = 200
OTHER_OPERATION = "_other"
ANONYMOUS_OPERATION = "_anonymous"
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")

REQUESTS = Counter(
    "aigraph_http_requests",
    "HTTP requests answered, by route, method, GraphQL operation name and status code.",
    ["route", "method", "operation", "status"],
)
LATENCY = Histogram(
    "aigraph_http_request_duration_seconds",
    "Time to answer a request, by route and GraphQL operation name.",
    ["route", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ERRORS = Counter(
    "aigraph_errors",
    "Refused or failed requests by kind: " + ", ".join(ERROR_KINDS) + ".",
    ["kind"],
)
RECORDS_INGESTED = Counter(
    "aigraph_records_ingested",
    "Records accepted by any ingest path (mutation, POST /ingest, OpenLineage), by record type and outcome.",
    ["type", "outcome"],
)

# The labelled children of REQUESTS and LATENCY by their labels: `labels()` takes a lock and
# builds its key on every call. Bounded as the labels are (routes, methods, operations, statuses).
_request_series: dict[tuple[str, str, str, str], tuple[Counter, Histogram]] = {}

_known_operations: set[str] = set()
_known_operations_lock = threading.Lock()


def count_error(kind: str) -> None:
    ERRORS.labels(kind=kind).inc()


def count_ingested(summary: IngestSummary) -> None:
    """Count every record of an accepted batch under its type and outcome."""
    for record_type, counts in summary.counts.items():
        for outcome in ("created", "updated", "unchanged"):
            value = getattr(counts, outcome)
            if value:
                RECORDS_INGESTED.labels(type=record_type, outcome=outcome).inc(value)


def count_request(route: str, method: str, operation: str, status: str, seconds: float) -> None:
    """One answered request in REQUESTS and LATENCY."""
    key = (route, method, operation, status)
    series = _request_series.get(key)
    if series is None:
        requests = REQUESTS.labels(route=route, method=method, operation=operation, status=status)
        series = _request_series[key] = (requests, LATENCY.labels(route=route, operation=operation))
    series[0].inc()
    series[1].observe(seconds)


def operation_label(name: str | None) -> str:
    """The label of a GraphQL operation name, from a bounded set."""
    if not name:
        return ANONYMOUS_OPERATION
    if not _OPERATION_NAME.fullmatch(name):
        return OTHER_OPERATION
    with _known_operations_lock:
        if name in _known_operations:
            return name
        if len(_known_operations) >= MAX_OPERATION_NAMES:
            return OTHER_OPERATION
        _known_operations.add(name)
        return name


def note_operation(request: Request, name: str | None) -> None:
    """Name the GraphQL operation of this request in its metrics and its log line."""
    request.state.operation = name


async def metrics(request: Request) -> Response:
    """The Prometheus text exposition of every series (summed over workers in multiprocess mode)."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class CountErrors(SchemaExtension):
    """Counts the GraphQL errors of an answer: invalid documents, and unexpected errors (masked)."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        errors = getattr(context.result, "errors", None) or context.pre_execution_errors or ()
        if any(should_mask(error) for error in errors):
            count_error("internal")
        elif any(error.path is None and error.original_error is None for error in errors):
            # Syntax and validation errors: the document was refused before execution.
            count_error("validation")
