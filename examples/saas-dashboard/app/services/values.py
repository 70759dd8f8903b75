"""Turning JSON values into column values, and column values into JSON."""

import datetime as dt
import decimal
import math
import uuid
from typing import Any

from app.catalog import FieldSpec


class ValueError_(ValueError):
    """A value that does not fit its column; the message says why."""


def parse_timestamp(value: Any) -> dt.datetime:
    """ISO 8601 with any UTC offset → aware UTC. Without an offset: UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError_("expected an ISO 8601 timestamp") from exc
    else:
        raise ValueError_("expected an ISO 8601 timestamp string")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def coerce(spec: FieldSpec, value: Any) -> Any:
    """The column value for a JSON value, or ValueError_."""
    if value is None:
        if spec.nullable:
            return None
        raise ValueError_("must not be null")
    kind = spec.kind
    if kind in ("string", "text"):
        if not isinstance(value, str):
            raise ValueError_("expected a string")
        if "\x00" in value:
            raise ValueError_("must not contain NUL characters")
        if kind == "string" and spec.length and len(value) > spec.length:
            raise ValueError_(f"longer than {spec.length} characters")
        return value
    if kind in ("integer", "bigint"):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ValueError_("expected an integer")
        limit = 2**31 if kind == "integer" else 2**63
        if not -limit <= value < limit:
            raise ValueError_("integer out of range")
        return value
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError_("expected a number")
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation as exc:
            raise ValueError_("expected a number") from exc
        if not number.is_finite():
            raise ValueError_("expected a finite number")
        if spec.precision:
            scale = spec.scale or 0
            quantum = decimal.Decimal(1).scaleb(-scale)
            number = number.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
            if len(number.as_tuple().digits) > spec.precision and number != 0:
                raise ValueError_(f"does not fit numeric({spec.precision}, {scale})")
        return number
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError_("expected true or false")
        return value
    if kind == "uuid":
        if isinstance(value, uuid.UUID):
            return value
        if not isinstance(value, str):
            raise ValueError_("expected a UUID string")
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise ValueError_("expected a UUID") from exc
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if not isinstance(value, str):
            raise ValueError_("expected a date YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError_("expected a date YYYY-MM-DD") from exc
    if kind == "timestamp":
        return parse_timestamp(value)
    # json: anything JSON can hold, but no NaN or infinity.
    _check_json(value)
    return value


def _check_json(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError_("JSON numbers must be finite")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError_("JSON object keys must be strings")
            _check_json(v)
    elif isinstance(value, list):
        for v in value:
            _check_json(v)


def literal(kind: str, value: Any) -> Any:
    """A metric condition's literal, typed like the column it is compared with."""
    if kind in ("integer", "bigint"):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if kind == "numeric":
        return decimal.Decimal(str(value))
    if kind == "boolean":
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "t")
        return bool(value)
    if kind == "uuid" and isinstance(value, str):
        return uuid.UUID(value)
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "timestamp" and isinstance(value, str):
        return parse_timestamp(value)
    if kind in ("string", "text") and not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return value


def to_json(value: Any) -> Any:
    """A column value as JSON: timestamps in UTC ISO 8601, decimals as numbers."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
