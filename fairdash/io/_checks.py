"""Checks every reader applies: column names, column count, at least one row."""

from __future__ import annotations

from collections.abc import Sequence

from fairdash._errors import InputError

__all__ = [
    "MAX_COLUMNS",
    "check_column_count",
    "check_column_names",
    "check_has_rows",
    "renamed_note",
    "unique_names",
]

# More columns than this is almost surely not a table meant for the dashboard
# (e.g. a transposed file) and would make every page unusably slow.
MAX_COLUMNS = 10_000


def check_column_count(n_columns: int, *, who: str) -> None:
    """Refuse tables with no columns or more than :data:`MAX_COLUMNS`."""
    if n_columns == 0:
        raise InputError(f"{who} has no columns. Choose a file with a header row and data rows.")
    if n_columns > MAX_COLUMNS:
        raise InputError(
            f"{who} has {n_columns:,} columns; at most {MAX_COLUMNS:,} are supported. "
            "If the table is transposed (one row per variable), transpose it back, or "
            "keep only the columns you need."
        )


def check_column_names(names: Sequence[str], *, who: str) -> None:
    """Refuse blank column names (repeated ones are renamed by :func:`unique_names`).

    pandas would call blank ones ``Unnamed: 3``, a name nobody chose.
    """
    check_column_count(len(names), who=who)
    blank = [i for i, name in enumerate(names, start=1) if not str(name).strip()]
    if blank:
        where = ", ".join(str(i) for i in blank[:10]) + (" ..." if len(blank) > 10 else "")
        plural = "s" if len(blank) > 1 else ""
        raise InputError(
            f"{who} has no name for column{plural} {where} (counting from 1) in its header "
            "row. Give every column a name in the first row."
        )


def unique_names(names: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Rename repeated column names the way :func:`pandas.read_csv` does: ``x``, ``x.1``.

    Spreadsheets and many exports repeat header names; reading them under
    pandas' names keeps every column. pandas' rule is followed exactly: a new
    name already used in the header is skipped, so ``x, x, x.1`` gives ``x,
    x.2, x.1``.

    Returns
    -------
    names : list of str
    renamed : dict
        New name -> name in the file, for the renamed columns only, in order.
    """
    out = list(names)
    counts: dict[str, int] = {}
    renamed: dict[str, str] = {}
    for position, original in enumerate(names):
        name, count = original, counts.get(original, 0)
        while count > 0:
            counts[original] = count + 1
            name = f"{original}.{count}"
            count = count + 1 if name in out else counts.get(name, 0)
        out[position] = name
        counts[name] = count + 1
        if name != original:
            renamed[name] = original
    return out, renamed


def renamed_note(renamed: dict[str, str], *, who: str) -> str:
    """The note telling users which repeated column names were renamed."""
    pairs = [f"'{new}'" for new in list(renamed)[:10]]
    more = f" and {len(renamed) - 10:,} more" if len(renamed) > 10 else ""
    repeated = list(dict.fromkeys(renamed.values()))
    shown = ", ".join(f"'{name}'" for name in repeated[:10])
    plural = "s" if len(repeated) > 1 else ""
    return (
        f"{who} repeats the column name{plural} {shown} in its header row. Every column was "
        f"kept: the repeats were renamed {', '.join(pairs)}{more}, as pandas does. Check which "
        "one you mean before choosing it."
    )


def check_has_rows(n_rows: int, *, who: str) -> None:
    """Refuse a table that has a header but no data rows."""
    if n_rows == 0:
        raise InputError(
            f"{who} has a header row but no data rows. Add at least one row of data below "
            "the header."
        )
