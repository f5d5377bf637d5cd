"""Checks of single configuration fields: each returns the value or raises an InputError
naming the field and what it must be."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fairdash._errors import InputError
from fairdash.config._json import OversizedNumber

__all__ = ["MAX_NAME_LENGTH"]

#: Longest column name, label or file name accepted.
MAX_NAME_LENGTH = 1_000


def _describe(value: object) -> str:
    if isinstance(value, OversizedNumber):
        return str(value)
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("…" if len(value) > 40 else "")
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return f"a list of {len(value):,} item(s)"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _fail(path: str, expected: str, value: object) -> InputError:
    return InputError(
        f"Configuration field '{path}' must be {expected}; it is {_describe(value)}."
    )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(value: object, path: str, *, required: Sequence[str], optional: Sequence[str] = ()):
    if not isinstance(value, dict):
        raise _fail(path, "an object", value)
    missing = [k for k in required if k not in value]
    if missing:
        raise InputError(f"Configuration field '{_join(path, missing[0])}' is missing.")
    unknown = [k for k in value if k not in required and k not in optional]
    if unknown:
        allowed = ", ".join([*required, *optional]) or "none"
        raise InputError(
            f"Configuration field '{_join(path, unknown[0])}' is not a setting FairDash knows "
            f"or lets you set here (allowed: {allowed})."
        )
    return value


def _text(value: object, path: str, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_NAME_LENGTH:
        kind = "a text" + (" or null" if nullable else "")
        raise _fail(path, f"{kind} of 1 to {MAX_NAME_LENGTH:,} characters", value)
    return value


def _names(value: object, path: str, *, minimum: int, maximum: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not minimum <= len(value) <= maximum:
        raise _fail(path, f"a list of {minimum} to {maximum:,} column names", value)
    names = tuple(_text(v, f"{path}[{i}]") for i, v in enumerate(value))
    if len(set(names)) != len(names):
        raise InputError(f"Configuration field '{path}' names a column twice.")
    return names


def _bound(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else f"{limit:g}"


def _number(value: object, path: str, *, integer: bool, low: float, high: float):
    kind = "an integer" if integer else "a number"
    expected = f"{kind} from {_bound(low)} to {_bound(high)}" if math.isfinite(low) else (
        f"finite {kind}"
    )
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type:
        raise _fail(path, expected, value)
    if not math.isfinite(value) or not low <= value <= high:
        raise _fail(path, expected, value)
    return value


def _choice(value: object, path: str, choices: Sequence) -> Any:
    if isinstance(value, bool | OversizedNumber) or value not in choices:
        raise _fail(path, "one of " + ", ".join(map(repr, choices)), value)
    return value
