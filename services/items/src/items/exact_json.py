"""JSON with exact decimal numbers, both ways.

The standard library reads 19.99 as a float and writes floats by their repr;
money must never pass through a float, so numbers are read as `Decimal` and
a `Decimal` is written as its own digits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


class InvalidJson(ValueError):
    """The bytes are not one strict JSON document."""


def _reject_constant(name: str) -> Any:
    # NaN, Infinity and -Infinity are Python extensions, not JSON.
    raise InvalidJson(f"{name} is not a JSON value")


def _exact_number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        # Valid JSON, but an exponent beyond any Decimal (1e99999999999999999999):
        # a NaN that the models refuse as "not a finite number", a 422.
        return Decimal("NaN")


def loads(raw: bytes | str) -> Any:
    """Parse strict JSON; every number becomes an exact `Decimal`."""
    try:
        return json.loads(
            raw, parse_float=_exact_number, parse_int=_exact_number, parse_constant=_reject_constant
        )
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise InvalidJson(str(exc)) from None


def dumps(value: Any) -> str:
    """Serialise `value`, writing a `Decimal` as plain digits (never 1E+2)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("a non-finite number has no JSON form")
        return format(value, "f")
    if isinstance(value, Mapping):
        members = (f"{json.dumps(str(key))}:{dumps(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    return json.dumps(value, allow_nan=False)
