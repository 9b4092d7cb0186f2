"""Where a batch comes from: a JSONL file, a JSONL body, or records already parsed.

A source can be read more than once, so that a large file is streamed (validated, then
written) instead of being held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Payload = bytes | Mapping[str, Any]


class BatchSource(Protocol):
    def __iter__(self) -> Iterator[tuple[str, Payload]]:
        """Yield (location, payload) pairs: 'line 3' with its bytes, or 'modelBinaries[2]' with a dict."""
        ...


@dataclass(frozen=True)
class JsonlFile:
    path: Path

    def __iter__(self) -> Iterator[tuple[str, Payload]]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield f"line {number}", line

    def count_lines(self) -> int:
        """Non-blank lines, for a progress bar's total (streams the file once)."""
        with self.path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())


@dataclass(frozen=True)
class JsonlBytes:
    data: bytes

    def __iter__(self) -> Iterator[tuple[str, Payload]]:
        for number, line in enumerate(self.data.split(b"\n"), start=1):
            if line.strip():
                yield f"line {number}", line


@dataclass(frozen=True)
class RecordList:
    records: Sequence[Mapping[str, Any]]
    locations: Sequence[str] | None = None

    def __iter__(self) -> Iterator[tuple[str, Payload]]:
        for index, record in enumerate(self.records):
            yield (self.locations[index] if self.locations else f"record {index + 1}"), record


def jsonl_file(path: str | Path) -> JsonlFile:
    return JsonlFile(Path(path))


def jsonl_bytes(data: bytes) -> JsonlBytes:
    return JsonlBytes(data)


def record_list(records: Sequence[Mapping[str, Any]], locations: Sequence[str] | None = None) -> RecordList:
    return RecordList(records, locations)
