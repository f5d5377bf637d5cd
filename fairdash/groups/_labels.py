"""The one readable label of an intersectional group: ``Female × White``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = [
    "GROUP_SEPARATOR",
    "MISSING_LABEL",
    "group_label",
    "group_label_index",
    "value_text",
]

#: Label of the group of rows whose sensitive value is missing.
MISSING_LABEL = "(missing)"
#: Joins the values of several sensitive features into one group label.
GROUP_SEPARATOR = " × "

_QUOTE = '"'


def value_text(value: Any) -> str:
    """The text of one sensitive value in a label (``(missing)`` for a missing one)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return MISSING_LABEL
    return str(value)


def _quoted(text: str) -> str:
    # Quote a value that contains the separator, starts with a quote or has
    # surrounding whitespace, so that ("a × b", "c") and ("a", "b × c") differ
    # and "Male " is visibly not "Male". Quotes inside are doubled (as in CSV).
    if GROUP_SEPARATOR.strip() in text or text.startswith(_QUOTE) or text != text.strip():
        return _QUOTE + text.replace(_QUOTE, _QUOTE * 2) + _QUOTE
    return text


def group_label(key: Any) -> str:
    """The label of one group from its value of each sensitive feature.

    Values are joined by ``" × "``; a value containing ``×``, starting with a
    double quote or having leading or trailing whitespace is put in double
    quotes (inner quotes doubled), so two different groups never share a label.
    A missing value reads ``(missing)``.

    Parameters
    ----------
    key : object or tuple
        The group's value (one feature) or tuple of values (several features).

    Returns
    -------
    str

    Examples
    --------
    >>> group_label(("Female", "White"))
    'Female × White'
    >>> group_label(("a × b", "c")), group_label(("a", "b × c"))
    ('"a × b" × c', 'a × "b × c"')
    >>> group_label(None)
    '(missing)'
    """
    parts: Sequence[Any] = key if isinstance(key, tuple) else (key,)
    return GROUP_SEPARATOR.join(_quoted(value_text(part)) for part in parts)


def group_label_index(index: pd.Index) -> list[str]:
    """One label per group of a (Multi)Index, as :func:`group_label` writes it.

    Parameters
    ----------
    index : pandas.Index or pandas.MultiIndex
        Groups, e.g. ``GroupMetrics.by_group.index``.

    Returns
    -------
    list of str
    """
    return [group_label(key) for key in index]
