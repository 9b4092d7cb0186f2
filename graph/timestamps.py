"""Timestamps: parsed from ISO 8601, stored as integer microseconds since the epoch (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Dialect
from sqlalchemy.types import TypeDecorator

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    # Adding a timedelta is several times faster than fromtimestamp() and exact for any int.
    return EPOCH + timedelta(microseconds=micros)


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; UTC is assumed when no offset is given."""
    moment = datetime.fromisoformat(text)
    zone = moment.tzinfo
    if zone is UTC:  # a trailing Z, as in every record aigraph writes
        return moment
    if zone is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The interchange form: ISO 8601 in UTC with a Z suffix."""
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


class Timestamp(TypeDecorator[datetime]):
    """A UTC instant stored as integer microseconds since the epoch.

    Integers compare, sort and subtract the same way on every engine, so age arithmetic in SQL
    (derived metrics) needs no dialect-specific date functions.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        return None if value is None else to_micros(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_micros(value)
