"""Several uvicorn workers on one database: what one worker writes, any other reads back at once."""

from __future__ import annotations

from contextlib import ExitStack

import httpx

from tests.api.server_process import clients_on_workers, serving, worker_of, write_token

MODEL_SOURCES = "{ modelSources { totalCount edges { node { key name } } } }"


def _model_sources(client: httpx.Client) -> dict[str, str]:
    page = client.post("/graphql", json={"query": MODEL_SOURCES}).json()["data"]["modelSources"]
    return {edge["node"]["key"]: edge["node"]["name"] for edge in page["edges"]}


def test_a_write_through_one_worker_is_read_back_through_the_other(database_url: str) -> None:
    token = write_token(database_url)
    with serving(database_url, workers=2) as base, ExitStack() as stack:
        writer, reader = clients_on_workers(base, stack, token, workers=2, each=1)
        writer_pid, reader_pid = worker_of(writer), worker_of(reader)
        expected: dict[str, str] = {}
        for round_number in range(6):
            # Alternate the roles, and rename a key already read, so no worker can answer from memory.
            source, target = (writer, reader) if round_number % 2 == 0 else (reader, writer)
            key = f"ms/{round_number % 4}"
            expected[key] = f"name {round_number}"
            line = f'{{"type":"ModelSource","key":"{key}","name":"{expected[key]}"}}\n'
            answer = source.post("/ingest", content=line.encode())
            assert answer.status_code == 200, answer.text
            assert _model_sources(target) == expected
        # Each connection stayed with its own worker throughout.
        assert (worker_of(writer), worker_of(reader)) == (writer_pid, reader_pid)
        assert writer_pid != reader_pid
