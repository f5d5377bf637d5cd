"""JSON text read with limits: size, nesting depth, digits, duplicate keys."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from fairdash._errors import InputError

__all__ = ["MAX_CONFIG_BYTES", "MAX_DEPTH", "MAX_DIGITS", "OversizedNumber", "read_json"]

#: Largest configuration file accepted (1 MB; a saved session is a few kB).
MAX_CONFIG_BYTES = 1_000_000
#: Deepest nesting of lists and objects accepted (a saved session nests 6 deep).
MAX_DEPTH = 20
#: Most digits of an integer (a 64-bit integer has at most 20).
MAX_DIGITS = 20

# A JSON string literal: quote, then characters or escapes, then quote.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass(frozen=True)
class OversizedNumber:
    """An integer with more than :data:`MAX_DIGITS` digits, kept as its digit count.

    Python refuses to convert integers over 4,300 digits (and converting long
    ones is slow); the schema reports the field instead.
    """

    digits: int

    def __str__(self) -> str:
        return f"a {self.digits:,}-digit number"


def _parse_int(text: str) -> int | OversizedNumber:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_DIGITS else OversizedNumber(digits)


def _parse_constant(name: str) -> float:
    # NaN, Infinity, -Infinity: kept as floats, so the schema names the field refusing them.
    return float(name.replace("Infinity", "inf"))


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise InputError(f"The configuration has the key {key!r} twice in one object.")
        result[key] = value
    return result


def _depth(text: str) -> int:
    """Deepest nesting of [ and { outside string literals (vectorised, for 1 MB in ms)."""
    structure = _STRING.sub('""', text).encode("utf-8", errors="replace")
    codes = np.frombuffer(structure, dtype=np.uint8)
    steps = np.isin(codes, (ord("["), ord("{"))).astype(np.int32)
    steps -= np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(steps).max(initial=0))


def read_json(raw: bytes | str) -> object:
    """Parse configuration JSON within the limits above.

    Parameters
    ----------
    raw : bytes or str
        UTF-8 JSON text.

    Returns
    -------
    object
        Plain JSON values; integers longer than :data:`MAX_DIGITS` digits are
        :class:`OversizedNumber`, and ``NaN``/``Infinity`` are floats (the schema
        refuses both, naming the field).

    Raises
    ------
    fairdash.InputError
        For text over 1 MB, not UTF-8, not JSON, nested deeper than
        :data:`MAX_DEPTH`, or with a key repeated in one object.
    """
    if not isinstance(raw, bytes | bytearray | str):
        raise InputError(
            f"A configuration is JSON text (bytes or str), got {type(raw).__name__}."
        )
    size = len(raw) if not isinstance(raw, str) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_CONFIG_BYTES:
        raise InputError(
            f"The configuration file has {size:,} bytes; at most {MAX_CONFIG_BYTES:,} bytes "
            "are accepted (a saved FairDash configuration is a few kB)."
        )
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = bytes(raw).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError(
                f"This is not a FairDash configuration file: it is not UTF-8 text ({error})."
            ) from None
    depth = _depth(text)
    if depth > MAX_DEPTH:
        raise InputError(
            f"The configuration nests lists or objects {depth:,} deep; at most {MAX_DEPTH} "
            "levels are accepted (a saved FairDash configuration uses 6)."
        )
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_constant=_parse_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as error:
        raise InputError(f"This is not a FairDash configuration file: {error}.") from None
