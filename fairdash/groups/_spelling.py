"""Notes on sensitive values that only look alike: Unicode forms, case, spaces, look-alikes."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pandas as pd

__all__ = ["spelling_notes"]

# Cyrillic and Greek letters that look like Latin ones. A small map, not
# Unicode's full confusables table: it catches the usual copy-paste mix-ups.
_LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic capitals and small letters
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K",
        "М": "M", "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y",
        "а": "a", "с": "c", "е": "e", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s",
        "х": "x", "у": "y", "ԁ": "d", "һ": "h", "ӏ": "l",
        # Greek capitals and small letters
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    }
)


def _fold(text: str) -> str:
    return text.translate(_LOOK_ALIKES).strip().casefold()


def _shown(text: str) -> str:
    """A spelling with its invisible or foreign characters named: 'Мale' (Cyrillic М U+041C)."""
    foreign = dict.fromkeys(c for c in text if not c.isascii())
    names = [f"{unicodedata.name(c, 'unnamed').title()} U+{ord(c):04X}" for c in foreign]
    return repr(text) + (f" ({', '.join(names)})" if names else "")


def spelling_notes(data: pd.DataFrame, sensitive_features: Sequence[str]) -> list[str]:
    """Notes on values of the sensitive columns that look alike but are different text.

    Values written in two Unicode forms (NFC and NFD "Zoë") are one group (the
    groups are built from NFC text) and are named in a note. Values that
    differ only by case, leading or trailing whitespace or look-alike Cyrillic
    or Greek letters stay separate groups, and a note names both spellings so
    the user can fix the data if they are the same group.

    Parameters
    ----------
    data : pandas.DataFrame
    sensitive_features : sequence of str
        The sensitive columns (numeric ones are skipped).

    Returns
    -------
    list of str
        One note per set of look-alike values.
    """
    notes = []
    for name in sensitive_features:
        series = data[name]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        texts = [v for v in pd.unique(series.dropna()) if isinstance(v, str)]
        forms: dict[str, list[str]] = {}
        for text in texts:
            forms.setdefault(unicodedata.normalize("NFC", text), []).append(text)
        for normal, spellings in forms.items():
            if len(spellings) > 1:
                notes.append(
                    f"The sensitive feature '{name}' writes {normal!r} in {len(spellings)} "
                    "Unicode forms (composed and decomposed characters); they are one group."
                )
        alike: dict[str, list[str]] = {}
        for normal in forms:
            alike.setdefault(_fold(normal), []).append(normal)
        for spellings in alike.values():
            if len(spellings) > 1:
                shown = " and ".join(_shown(s) for s in sorted(spellings))
                notes.append(
                    f"The sensitive feature '{name}' has values that differ only by case, "
                    f"surrounding spaces or look-alike letters: {shown}. They are separate "
                    "groups; if they mean the same group, correct the data."
                )
    return notes
