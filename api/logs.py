"""Logs as JSON lines: one object per record, with the fields a record carries in `extra={"fields": …}`."""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, to the millisecond), level, logger, message, fields."""

    # The time up to the second, for the last second formatted: one strftime a second, not per line.
    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()

    def _time(self, record: logging.LogRecord) -> str:
        """`2026-12-07T13:29:30.123+00:00`, the record's creation time as logging counts it."""
        second = int(record.created)
        if self._second[0] != second:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{int(record.msecs):03d}+00:00"


# Our own loggers speak at INFO (one line per request); libraries only from WARNING up.
OWN_LOGGERS = ("aigraph", "api", "graph", "metrics")


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the whole process, unless logging is already set up (tests, embedders).

    Our lines carry none of the caller's file and line, thread or process that every record
    gathers by default; when the lines are ours, records skip gathering them (the logging HOWTO's
    "Optimization"), which took about a quarter of the cost of a request's log line.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None  # documented as the way to skip looking for the caller
