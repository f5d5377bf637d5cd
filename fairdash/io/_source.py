"""Get the bytes of an upload and decide which format it is in."""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import IO

from fairdash._errors import InputError

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Source",
    "detect_format",
    "format_size",
    "looks_binary",
    "read_source",
    "sniff",
    "subject",
]

# A table to read: its content, a path to it, or an open binary file.
Source = bytes | bytearray | memoryview | str | os.PathLike | IO[bytes]

# Extension -> reader. ".txt" is delimited text with any of the supported delimiters.
_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}
SUPPORTED_EXTENSIONS = tuple(ext.lstrip(".") for ext in _FORMATS)

# Formats that can run code when loaded (pickle and formats built on it): refused by name.
_UNSAFE_EXTENSIONS = {
    ".pkl", ".pickle", ".p", ".joblib", ".npy", ".npz", ".dill", ".pt", ".pth",
    ".h5", ".hdf", ".hdf5", ".keras", ".sav", ".cloudpickle",
}  # fmt: skip

_OTHER_EXCEL = {".xls", ".xlsm", ".xlsb", ".ods", ".numbers"}

_SUPPORTED_TEXT = "CSV (.csv, .tsv, .txt), Parquet (.parquet, .pq) or Excel (.xlsx)"

# Magic bytes of formats we recognise, to name them in messages (and to refuse pickles).
_MAGIC = [
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty ZIP archive
    (b"PAR1", "parquet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # Excel 97-2003 .xls and other Office files
    (b"\x93NUMPY", "npy"),
    (b"\x1f\x8b", "gzip"),
    (b"%PDF", "pdf"),
    (b"\x89HDF", "hdf5"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"ARROW1", "arrow"),
    (b"7z\xbc\xaf", "archive"),
    (b"Rar!", "archive"),
]

_KIND_NAMES = {
    "zip": "a ZIP archive (such as an Excel .xlsx workbook)",
    "parquet": "a Parquet file",
    "ole": "an old-style Office file (such as Excel 97-2003 .xls)",
    "npy": "a NumPy array file (which may hold pickled objects)",
    "pickle": "a Python pickle",
    "gzip": "a gzip-compressed file",
    "pdf": "a PDF document",
    "hdf5": "an HDF5 file",
    "image": "an image",
    "sqlite": "an SQLite database",
    "arrow": "an Arrow/Feather file",
    "archive": "a compressed archive",
}


def subject(name: str | None) -> str:
    """How messages refer to the file: ``'data.csv'`` or ``The file``."""
    return f"'{PurePath(name).name}'" if name else "The file"


def format_size(n_bytes: int) -> str:
    """Human-readable size in decimal units, e.g. ``'12.3 MB'``."""
    size = float(n_bytes)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _too_big(name: str | None, max_bytes: int, size: int | None) -> InputError:
    what = f"is {format_size(size)}" if size is not None else "is larger than that"
    return InputError(
        f"{subject(name)} {what}, over the limit of {format_size(max_bytes)} "
        f"({max_bytes:,} bytes). Upload a smaller file: fewer rows or columns, or save it "
        "as Parquet, which is compressed."
    )


def read_source(
    source: Source, *, name: str | None, max_bytes: int | None
) -> tuple[bytes, str | None]:
    """Read all bytes of ``source``, refusing more than ``max_bytes``.

    Parameters
    ----------
    source : bytes, path or binary file-like
        The table. File-like objects are read from the start (seeking back if
        they can), so a Streamlit ``UploadedFile`` can be read more than once.
    name : str or None
        File name; if None, taken from the path or the file object's ``name``.
    max_bytes : int or None
        Size limit; None for no limit.

    Returns
    -------
    data : bytes
    name : str or None
        The file name used for format detection and in messages.
    """
    if max_bytes is not None and max_bytes < 0:
        raise ValueError("max_bytes must be a non-negative number of bytes")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        name = name or path.name
        try:
            if not path.is_file():
                problem = "is a folder" if path.is_dir() else "does not exist"
                raise InputError(f"{path} {problem}. Choose a data file.")
            if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
                raise _too_big(name, max_bytes, size)
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"Could not read {path}: {exc.strerror or exc}.") from exc
    elif hasattr(source, "read"):
        if name is None and isinstance(getattr(source, "name", None), str):
            name = PurePath(source.name).name
        data = _read_stream(source, name=name, max_bytes=max_bytes)
    else:
        raise TypeError(
            f"source must be bytes, a path or a binary file object, not {type(source).__name__}"
        )
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_big(name, max_bytes, len(data))
    return data, name


def _read_stream(stream: IO[bytes], *, name: str | None, max_bytes: int | None) -> bytes:
    if hasattr(stream, "getvalue"):  # BytesIO and Streamlit's UploadedFile: all, at any position
        data = stream.getvalue()
    else:
        if getattr(stream, "seekable", lambda: False)():
            stream.seek(0)
        data = _read_blocks(stream, max_bytes)
    if isinstance(data, str):
        raise TypeError("the file object is in text mode; open it in binary mode ('rb')")
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_big(name, max_bytes, len(data) if hasattr(stream, "getvalue") else None)
    return bytes(data)


def _read_blocks(stream: IO[bytes], max_bytes: int | None) -> bytes:
    # Blocks rather than read(max_bytes + 1), which would allocate the whole limit at once;
    # one block past the limit is enough to know the file is too big.
    blocks, size = [], 0
    while block := stream.read(_BLOCK_BYTES):
        if isinstance(block, str):
            return block  # a text-mode file: the caller says what is wrong
        blocks.append(block)
        size += len(block)
        if max_bytes is not None and size > max_bytes:
            break
    return b"".join(blocks)


_BLOCK_BYTES = 1 << 20


def sniff(data: bytes) -> str | None:
    """The kind of binary content ``data`` starts with, or None for (possibly) text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    # Pickle protocols 2 to 5 start with PROTO (0x80) and the protocol number.
    if len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 5:
        return "pickle"
    return None


def detect_format(data: bytes, name: str | None) -> str:
    """Decide how to read ``data``: ``'csv'``, ``'parquet'`` or ``'xlsx'``.

    The extension of ``name`` chooses the format and the content must agree
    with it; a mismatch is an error rather than a guess, because a renamed file
    is a sign that something else may be wrong too. Without an extension the
    content alone decides.

    Raises
    ------
    fairdash.InputError
        For empty files, unsupported or unsafe formats and mismatches.
    """
    who = subject(name)
    if not data:
        raise InputError(f"{who} is empty. Choose a file with a header row and data rows.")
    ext = PurePath(name).suffix.lower() if name else ""
    kind = sniff(data)

    if ext in _UNSAFE_EXTENSIONS or kind in {"pickle", "npy"}:
        what = (
            f"{ext} files"
            if ext in _UNSAFE_EXTENSIONS
            else f"it is {_KIND_NAMES[kind]}: such files"
        )
        raise InputError(
            f"{who} is not supported: {what} can run code when they are loaded, so FairDash "
            f"never opens them. Save the table as {_SUPPORTED_TEXT}."
        )
    if ext in _OTHER_EXCEL or kind == "ole":
        raise InputError(
            f"{who} is not supported: only .xlsx workbooks can be read. Open it in your "
            "spreadsheet program and save it as Excel Workbook (.xlsx) or CSV."
        )
    if ext and ext not in _FORMATS:
        raise InputError(f"{who} is not supported ({ext}). Save the table as {_SUPPORTED_TEXT}.")

    by_content = {"zip": "xlsx", "parquet": "parquet", None: "csv"}.get(kind)
    if not ext:
        if by_content is None:
            raise InputError(
                f"{who} is {_KIND_NAMES[kind]}, not a table. Choose a {_SUPPORTED_TEXT} file."
            )
        return by_content

    expected = _FORMATS[ext]
    if by_content == expected:
        return expected
    if kind is None and looks_binary(data):
        raise InputError(
            f"{who} is not a valid {ext} file: it may be damaged. Export the table again."
        )
    if kind is None:
        actual, fix = "text (perhaps CSV)", "rename it to .csv"
    elif kind == "zip":
        actual, fix = _KIND_NAMES["zip"], "rename it to .xlsx if it is an Excel workbook"
    elif kind == "parquet":
        actual, fix = _KIND_NAMES["parquet"], "rename it to .parquet"
    else:
        actual, fix = _KIND_NAMES[kind], f"choose a {_SUPPORTED_TEXT} file instead"
    raise InputError(
        f"{who} is named {ext} but its content is {actual}: {fix}, or export the "
        f"table again as {ext}."
    )


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` is binary rather than text, judged from its start.

    Text has no NUL bytes (UTF-16 is recognised by its byte-order mark before
    this is asked) and almost no other control characters.
    """
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    return controls > max(1, len(sample) // 100)


# C0 control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL_BYTES = [*range(0x01, 0x09), *range(0x0E, 0x20)]
