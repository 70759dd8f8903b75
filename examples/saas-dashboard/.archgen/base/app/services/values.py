"""Turning JSON values into column values, and column values into JSON."""

import datetime as dt
import decimal
import functools
import math
import uuid
from collections.abc import Callable
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
    return converter(spec)(value)


@functools.cache
def converter(spec: FieldSpec) -> Callable[[Any], Any]:
    """coerce() for one field, with the field's checks decided once (ingestion's hot path)."""
    convert = _CONVERTERS.get(spec.kind, _json_value)(spec)
    nullable = spec.nullable

    def run(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise ValueError_("must not be null")
        return convert(value)

    return run


def _text(spec: FieldSpec) -> Callable[[Any], Any]:
    limit = spec.length if spec.kind == "string" and spec.length else None

    def run(value: Any) -> Any:
        if value.__class__ is not str and not isinstance(value, str):
            raise ValueError_("expected a string")
        if "\x00" in value:
            raise ValueError_("must not contain NUL characters")
        if limit is not None and len(value) > limit:
            raise ValueError_(f"longer than {limit} characters")
        return value

    return run


def _integer(spec: FieldSpec) -> Callable[[Any], Any]:
    limit = 2**31 if spec.kind == "integer" else 2**63

    def run(value: Any) -> Any:
        if value.__class__ is not int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            elif isinstance(value, bool) or not isinstance(value, int):
                raise ValueError_("expected an integer")
        if not -limit <= value < limit:
            raise ValueError_("integer out of range")
        return value

    return run


def _numeric(spec: FieldSpec) -> Callable[[Any], Any]:
    scale = spec.scale or 0
    quantum = decimal.Decimal(1).scaleb(-scale)

    def run(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError_("expected a number")
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation as exc:
            raise ValueError_("expected a number") from exc
        if not number.is_finite():
            raise ValueError_("expected a finite number")
        if spec.precision:
            number = number.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
            if len(number.as_tuple().digits) > spec.precision and number != 0:
                raise ValueError_(f"does not fit numeric({spec.precision}, {scale})")
        return number

    return run


def _boolean(_spec: FieldSpec) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if not isinstance(value, bool):
            raise ValueError_("expected true or false")
        return value

    return run


def _uuid(_spec: FieldSpec) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return value
        if not isinstance(value, str):
            raise ValueError_("expected a UUID string")
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise ValueError_("expected a UUID") from exc

    return run


def _date(_spec: FieldSpec) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if not isinstance(value, str):
            raise ValueError_("expected a date YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError_("expected a date YYYY-MM-DD") from exc

    return run


def _timestamp(_spec: FieldSpec) -> Callable[[Any], Any]:
    return parse_timestamp


def _json_value(_spec: FieldSpec) -> Callable[[Any], Any]:
    # Anything JSON can hold, but no NaN or infinity.
    def run(value: Any) -> Any:
        _check_json(value)
        return value

    return run


_CONVERTERS: dict[str, Callable[[FieldSpec], Callable[[Any], Any]]] = {
    "string": _text,
    "text": _text,
    "integer": _integer,
    "bigint": _integer,
    "numeric": _numeric,
    "boolean": _boolean,
    "uuid": _uuid,
    "date": _date,
    "timestamp": _timestamp,
}


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
