"""Read an uploaded table: CSV/TSV, Parquet or Excel."""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd

from fairdash._errors import InputError
from fairdash.io._excel import read_excel, sheet_names
from fairdash.io._parquet import read_parquet
from fairdash.io._source import Source, detect_format, read_source, subject
from fairdash.io._text import read_delimited

__all__ = ["excel_sheet_names", "read_notes", "read_table"]


def read_table(
    source: Source,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a table from an uploaded or local file.

    The format comes from the file name's extension (``.csv``, ``.tsv``,
    ``.txt``, ``.parquet``, ``.pq``, ``.xlsx``) and must match the content
    (ZIP header for .xlsx, ``PAR1`` for Parquet, text otherwise); a mismatch is
    an error, as is any format that can run code (pickle, joblib, .npy). With
    no extension, the content decides.

    Delimited text: the encoding is detected (UTF-8, with or without BOM,
    UTF-16 with BOM, Windows-1252/Latin-1, other legacy encodings as a last
    resort), and so is the delimiter (comma, semicolon, tab or pipe; an Excel
    ``sep=`` first line is honoured). Quoted values may contain delimiters and
    newlines. Empty lines are skipped; every other line must have one value
    per column. Column types are inferred conservatively (see Notes).

    Parameters
    ----------
    source : bytes, str, os.PathLike or binary file-like
        The file's content, its path, or an open binary file (such as
        Streamlit's ``UploadedFile``; it is read from the start).
    name : str, optional
        The file name, for the format and for messages. Defaults to the path's
        or the file object's name.
    max_bytes : int, optional
        Refuse files larger than this many bytes.
    sheet : str or int, optional
        Excel only: the worksheet to read, by name or 0-based position; the
        first by default. Ignored for other formats.

    Returns
    -------
    pandas.DataFrame
        One column per column of the file, names as in the header; a repeated
        name is renamed as pandas does (``score``, ``score.1``).
        ``frame.attrs["fairdash_io"]`` records how it was read: ``name``,
        ``format`` (``"csv"``, ``"parquet"`` or ``"xlsx"``), ``renamed`` (new
        name -> name in the file, for repeated names), ``notes`` (what the
        user should know, see :func:`read_notes`), and for text ``encoding``
        and ``delimiter``, for Excel ``sheet`` and ``sheet_names``, for text
        and Excel ``missing_tokens`` (column -> markers such as "NA" read as
        missing in numeric columns).

    Raises
    ------
    fairdash.InputError
        For anything wrong with the file: too large, empty, header only,
        unsupported or mismatched format, undecodable text, a row with the wrong
        number of values (naming the line), blank column names, numbers such as
        ``20.000`` in a semicolon-separated file that read as thousands or as
        decimals with nothing telling which (naming the column),
        more than :data:`fairdash.io.MAX_COLUMNS` columns, nested Parquet
        columns, an unknown sheet. The message says what to do.

    Notes
    -----
    Values are never altered: text is kept exactly as read (including
    surrounding spaces), only empty cells are missing in text columns. A
    column becomes ``int64``/``float64`` only if all its values are plain
    numbers or missing (numbers with leading zeros, such as IDs, stay text),
    and ``bool`` if all are true/false. In numeric columns, markers such as
    "NA", "n/a", "?" or "#N/A" are missing. In semicolon-separated files,
    ``1,5`` is read as 1.5 and ``1.234,5`` as 1234.5. Parquet columns keep
    their stored types.

    Examples
    --------
    >>> from fairdash.io import read_table
    >>> read_table(b"sex;score\\nf;1,5\\nm;2\\n", name="scores.csv")
      sex  score
    0   f    1.5
    1   m    2.0
    """
    data, name = read_source(source, name=name, max_bytes=max_bytes)
    who = subject(name)
    fmt = detect_format(data, name)
    if fmt == "xlsx":
        frame, info = read_excel(data, who=who, sheet=sheet)
    elif fmt == "parquet":
        frame, info = read_parquet(data, who=who)
    else:
        extension = PurePath(name).suffix.lower() if name else ""
        frame, info = read_delimited(data, who=who, extension=extension)
    frame.attrs["fairdash_io"] = {"name": name, "format": fmt, "renamed": {}, "notes": [], **info}
    return frame


def read_notes(frame: pd.DataFrame) -> list[str]:
    """What the user should know about how :func:`read_table` read ``frame``.

    For example, that repeated column names were renamed, or that ``.`` was
    read as a thousands separator. Show these beside the data: nothing in them
    is an error.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table returned by :func:`read_table` (any other table has no notes).

    Returns
    -------
    list of str
        Plain sentences; they quote column names from the file, so escape them
        for the medium they are shown in (:func:`fairdash.markdown_text`).
    """
    return list(frame.attrs.get("fairdash_io", {}).get("notes", []))


def excel_sheet_names(
    source: Source, *, name: str | None = None, max_bytes: int | None = None
) -> list[str]:
    """Names of the worksheets of an Excel workbook, in order.

    Use it to let users choose the ``sheet`` for :func:`read_table`.

    Parameters
    ----------
    source, name, max_bytes
        As for :func:`read_table`.

    Returns
    -------
    list of str

    Raises
    ------
    fairdash.InputError
        If the file is not an .xlsx workbook (or is too large, or damaged).
    """
    data, name = read_source(source, name=name, max_bytes=max_bytes)
    who = subject(name)
    if detect_format(data, name) != "xlsx":
        raise InputError(f"{who} is not an Excel workbook, so it has no sheets.")
    return sheet_names(data, who=who)
