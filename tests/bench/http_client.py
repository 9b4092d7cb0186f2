"""The benchmarks' HTTP client: one keep-alive connection from the standard library's http.client.

The figures are meant to show what the server costs. httpx spends about 0.8 ms of its own on each
request on this kind of machine (building the request, its transport layers, parsing the
response): more than the server spends on a key lookup. A plain HTTP/1.1 connection costs a few
tens of microseconds, so the time measured is the server's, plus the loopback round trip.
"""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from typing import Any

import orjson


class GraphQLClient:
    """POSTs GraphQL documents to /graphql on 127.0.0.1:`port` over one kept-alive connection."""

    def __init__(self, port: int, timeout: float = 30, server_pid: int | None = None) -> None:
        self.port = port
        self.timeout = timeout
        self.server_pid = server_pid
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def post(self, document: str, variables: dict[str, Any] | None = None) -> tuple[float, Any]:
        """Seconds from sending the request to having read the whole response, and the decoded body."""
        body = orjson.dumps({"query": document, "variables": variables or {}})
        headers = {"Content-Type": "application/json"}
        started = time.perf_counter()
        self.connection.request("POST", "/graphql", body, headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {data[:500]!r}")
        return elapsed, orjson.loads(data)

    def put(self, path: str, body: bytes) -> None:
        """PUT raw bytes (the constant server's answer, see tests/bench/constant_http.py)."""
        self.connection.request("PUT", path, body, {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} for PUT {path}")

    def wait_until_up(self, deadline: float, alive: Any) -> None:
        """Retry until the server answers at all; `alive()` tells whether it is still starting."""
        while True:
            try:
                self.connection.request("POST", "/graphql", b"{}", {"Content-Type": "application/json"})
                self.connection.getresponse().read()
                # That request may have been refused and its connection closed: start afresh.
                self.connection.close()
                return
            except (ConnectionError, http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if time.monotonic() > deadline or not alive():
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)

    def server_rss_mb(self) -> float | None:
        """The server process's resident memory now (Linux), or None where it cannot be read."""
        try:
            status = Path(f"/proc/{self.server_pid}/status").read_text()
        except OSError:
            return None
        kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), None)
        return None if kib is None else int(kib) / 1024

    def close(self) -> None:
        self.connection.close()
