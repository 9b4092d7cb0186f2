"""Metric values take a quick path through validation when plainly valid; it must agree with the
full checks on every record, valid or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.records import MAX_KEY_LENGTH, RecordError, ValueRecord, _checked_value, parse_value
from graph.timestamps import parse_timestamp, to_micros

KEYS = st.one_of(
    st.text(min_size=0, max_size=8),
    # Around the quick path's bound (a quarter of the limit) and the limit itself, in 1 to 4 bytes.
    st.sampled_from(["a", "é", "€", "😀"]).flatmap(
        lambda letter: st.integers(MAX_KEY_LENGTH // 4 - 1, MAX_KEY_LENGTH + 1).map(lambda n: letter * n)
    ),
    st.none(),
    st.integers(),
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(), st.text(max_size=3)
)
ZONES = st.sampled_from([None, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30))])
MOMENTS = st.one_of(
    st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        ZONES,
    ),
    st.builds(lambda moment: moment.isoformat() + "Z", st.datetimes()),
    st.sampled_from(["2026-13-01T00:00:00Z", "yesterday", ""]),
    st.none(),
    st.integers(),
)


def _outcome(parse: Any, raw: dict[str, Any]) -> ValueRecord | str:
    try:
        return parse(raw)  # type: ignore[no-any-return]
    except RecordError as error:
        return f"rejected: {error}"


@settings(max_examples=300, deadline=None)
@given(metric=KEYS, entity=KEYS, value=NUMBERS, observed=MOMENTS)
def test_the_quick_path_agrees_with_the_full_checks(
    metric: Any, entity: Any, value: Any, observed: Any
) -> None:
    raw = {"type": "MetricValue", "metric": metric, "entity": entity, "value": value, "observed_at": observed}
    assert _outcome(parse_value, raw) == _outcome(_checked_value, raw)


def test_a_plain_value_is_parsed_in_utc() -> None:
    raw = {"metric": "accuracy", "entity": "mb/1", "value": 0.5, "observed_at": "2026-01-01T02:00:00+02:00"}
    record = parse_value(raw)
    assert record == ValueRecord("accuracy", "mb/1", 0.5, datetime(2026, 1, 1, tzinfo=UTC), 1767225600000000)
    assert record.observed_at.tzinfo is UTC


def test_timestamps_are_utc_microseconds_since_the_epoch() -> None:
    assert to_micros(parse_timestamp("1970-01-01T00:00:00.000001Z")) == 1
    assert to_micros(parse_timestamp("1969-12-31T23:59:59Z")) == -1_000_000
    assert to_micros(datetime(2026, 1, 1)) == 1767225600000000  # naive: taken as UTC
    assert to_micros(parse_timestamp("9999-12-31T23:59:59.999999Z")) == 253402300799999999
    assert to_micros(parse_timestamp("0001-01-01T00:00:00Z")) == -62135596800000000
    assert parse_timestamp("2026-06-01T12:00:00-09:30") == datetime(2026, 6, 1, 21, 30, tzinfo=UTC)
