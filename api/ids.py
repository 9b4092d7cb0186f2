"""Opaque public identifiers: Relay global ids ("TypeName:key") and keyset cursors."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import orjson

from api.errors import UserError
from graph.pages import Order, Position
from graph.timestamps import from_micros, to_micros

TIMESTAMP_FIELDS = ("created_at", "updated_at")


def _encode(text: bytes) -> str:
    return base64.urlsafe_b64encode(text).decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise UserError(f"malformed identifier {text!r}") from error


def global_id(type_name: str, key: str) -> str:
    """Stable across databases and time: it depends only on the type name and the key."""
    return _encode(f"{type_name}:{key}".encode())


def parse_global_id(value: str) -> tuple[str, str] | None:
    """(type name, key), or None when the value is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(value.encode("ascii")).decode()
    except (binascii.Error, ValueError, UnicodeError):
        return None
    type_name, separator, key = text.partition(":")
    # No stored key holds a NUL, and PostgreSQL refuses one in a text parameter.
    if not separator or not type_name or not key or "\x00" in key:
        return None
    return type_name, key


def cursor(order: Order, position: Position) -> str:
    value = position.value
    if isinstance(value, datetime):
        value = to_micros(value)
    return _encode(orjson.dumps([order.field, value, position.key]))


def parse_cursor(text: str, order: Order) -> Position:
    """The position a cursor names; it must come from a page with the same order field."""
    try:
        field, value, key = orjson.loads(_decode(text))
    except (orjson.JSONDecodeError, ValueError, TypeError) as error:
        raise UserError(f"malformed cursor {text!r}") from error
    if field != order.field or not isinstance(key, str):
        raise UserError(f"cursor {text!r} does not belong to an order by {order.field.upper()}")
    if "\x00" in key or (isinstance(value, str) and "\x00" in value):
        raise UserError(f"malformed cursor {text!r}")
    if field in TIMESTAMP_FIELDS:
        if not isinstance(value, int):
            raise UserError(f"malformed cursor {text!r}")
        return Position(from_micros(value), key)
    if not isinstance(value, str):
        raise UserError(f"malformed cursor {text!r}")
    return Position(value, key)
