"""The benchmarks' HTTP client: HTTP/1.1 over one kept-alive socket, requests framed by hand.

The figures are meant to show what the server costs. httpx spends about 0.8 ms of its own on each
request on this kind of machine (building the request, its transport layers, parsing the
response): more than the server spends on a key lookup. The standard library's http.client still
spends about 90 µs (measured on the 23-node lineage request: 0.39 against 0.30 ms p50, the same
server), most of it parsing the response's headers with the email package. Here a request is
one `sendall` and a response is read up to its Content-Length, which every server measured here
sends: the time measured is the server's, plus the loopback round trip.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import orjson

_HEAD_END = b"\r\n\r\n"


class GraphQLClient:
    """POSTs GraphQL documents to /graphql on 127.0.0.1:`port` over one kept-alive connection."""

    def __init__(self, port: int, timeout: float = 30, server_pid: int | None = None) -> None:
        self.port = port
        self.timeout = timeout
        self.server_pid = server_pid
        self._socket: socket.socket | None = None
        self._buffer = bytearray()  # what was read past the end of the last response

    def post(self, document: str, variables: dict[str, Any] | None = None) -> tuple[float, Any]:
        """Seconds from sending the request to having read the whole response, and the decoded body."""
        body = orjson.dumps({"query": document, "variables": variables or {}})
        started = time.perf_counter()
        status, data = self._exchange(b"POST", b"/graphql", body)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {data[:500]!r}")
        return elapsed, orjson.loads(data)

    def put(self, path: str, body: bytes) -> None:
        """PUT raw bytes (the constant server's answer, see tests/bench/constant_http.py)."""
        status, _ = self._exchange(b"PUT", path.encode(), body)
        if status != 200:
            raise RuntimeError(f"HTTP {status} for PUT {path}")

    def wait_until_up(self, deadline: float, alive: Any) -> None:
        """Retry until the server answers at all; `alive()` tells whether it is still starting."""
        while True:
            try:
                self._exchange(b"POST", b"/graphql", b"{}")
                # That request may have been refused and its connection closed: start afresh.
                self.close()
                return
            except OSError:  # ConnectionError included
                self.close()
                if time.monotonic() > deadline or not alive():
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)

    def _exchange(self, method: bytes, path: bytes, body: bytes) -> tuple[int, bytes]:
        """One request and its whole response: (status, body)."""
        connection = self._connected()
        connection.sendall(
            b"%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (method, path, self.port, len(body), body)
        )
        buffer = self._buffer
        while (head_end := buffer.find(_HEAD_END)) < 0:
            self._receive(connection, buffer)
        status_line, *header_lines = bytes(buffer[:head_end]).split(b"\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" not in headers:
            raise RuntimeError(f"{method.decode()} {path.decode()}: the response has no Content-Length")
        body_start = head_end + len(_HEAD_END)
        body_end = body_start + int(headers[b"content-length"])
        while len(buffer) < body_end:
            self._receive(connection, buffer)
        data = bytes(buffer[body_start:body_end])
        del buffer[:body_end]
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return int(status_line.split(b" ", 2)[1]), data

    def _connected(self) -> socket.socket:
        if self._socket is None:
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
            # Small requests go out at once, not held back waiting for an acknowledgement.
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socket = connection
            self._buffer.clear()
        return self._socket

    @staticmethod
    def _receive(connection: socket.socket, buffer: bytearray) -> None:
        chunk = connection.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection before answering in full")
        buffer += chunk

    def server_rss_mb(self) -> float | None:
        """The server process's resident memory now (Linux), or None where it cannot be read."""
        try:
            status = Path(f"/proc/{self.server_pid}/status").read_text()
        except OSError:
            return None
        kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), None)
        return None if kib is None else int(kib) / 1024

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
