"""Read delimited text (CSV, TSV, semicolon- or pipe-separated).

The text is converted to UTF-8 once (UTF-8 files are only validated, not
copied) and the values are read with pyarrow, which is fast. A file with no
quote character has one record per line: pyarrow's count of values per line is
the whole structure check. A file with quotes is also read with Python's
:mod:`csv` module, the reference for quoting, and the two must agree on the
number of rows, so no row is ever dropped silently. Any problem is reported by
the :mod:`csv` module's reading, which names the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import charset_normalizer
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fairdash._errors import InputError
from fairdash.io._checks import (
    check_column_count,
    check_column_names,
    check_has_rows,
    renamed_note,
    unique_names,
)
from fairdash.io._infer import AmbiguousThousands, infer_text_column
from fairdash.io._source import looks_binary

__all__ = ["decode", "detect_delimiter", "read_delimited", "to_utf8"]

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_CHARS = 65_536
_SNIFF_ROWS = 1_000
_SAMPLE_BYTES = 1 << 20
_CHUNK_ROWS = 65_536
# UTF-8 is validated in blocks of this many bytes, so no copy of the whole text is made.
_VALIDATE_BYTES = 1 << 24
# pyarrow parses blocks of this size: large enough that each column's buffers get pages of
# their own, which go back to the system once the column is typed.
_BLOCK_BYTES = 1 << 24
# Excel writes and reads a first line "sep=;" naming the delimiter.
_SEP_HINT = re.compile(r"sep=([,;\t|])\r?\n")
_FIX_UTF8 = "Save it as UTF-8 (in Excel: 'CSV UTF-8') and upload it again."


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode(data: bytes, *, who: str) -> tuple[str, str]:
    """Decode text, detecting its encoding.

    In order: a byte-order mark (UTF-8 or UTF-16; the mark is removed), strict
    UTF-8, Windows-1252 (a superset of Latin-1) if the result looks like a
    Western European language, and finally charset-normalizer's best guess, for
    other legacy encodings such as Windows-1251.

    Returns
    -------
    text : str
    encoding : str
        The Python codec name used, e.g. ``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"``.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{who} is marked as UTF-8 but byte {exc.start + 3:,} is not valid UTF-8. "
                + _FIX_UTF8
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # removes the byte-order mark
        except UnicodeDecodeError as exc:
            raise InputError(f"{who} is marked as UTF-16 but is not valid. " + _FIX_UTF8) from exc
        if "\x00" in text:
            raise _binary(who)
        return text, "utf-16"
    if looks_binary(data):
        raise _binary(who)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # Mostly valid multi-byte UTF-8 means some lines were saved in another
        # encoding: decoding it all as one legacy encoding would alter the rest.
        valid = len(_UTF8_MULTIBYTE.findall(data))
        invalid = data.decode("utf-8", errors="replace").count("\ufffd")
        if valid > invalid:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"{who} mixes character encodings: it is UTF-8 except on line {line:,} "
                f"(byte {exc.start:,} is not valid UTF-8). " + _FIX_UTF8
            ) from None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # five byte values are undefined in Windows-1252
        text = None
    if text is not None and _looks_western(text):
        return text, "cp1252"
    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None:
        try:
            return data.decode(guess.encoding), guess.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise InputError(f"Could not tell which character encoding {who} uses. " + _FIX_UTF8)


def _binary(who: str) -> InputError:
    return InputError(
        f"{who} is not a text file: it contains binary data. Choose a CSV, Parquet or "
        "Excel (.xlsx) file."
    )


def _looks_western(text: str) -> bool:
    # Cyrillic, Greek, ... decoded as Windows-1252 turn (nearly) every letter into an
    # accented Latin one; in Western European text most letters are plain ASCII.
    sample = text[:1_000_000]
    ascii_letters = len(re.sub(r"[^A-Za-z]+", "", sample))
    other_letters = sum(c.isalpha() for c in re.sub(r"[\x00-\x7f]+", "", sample))
    return other_letters <= ascii_letters


def to_utf8(data: bytes, *, who: str) -> tuple[bytes, str]:
    """The text of ``data`` as UTF-8 bytes without a byte-order mark, and its encoding.

    UTF-8 files are only validated (in blocks, without decoding the whole
    file at once) and returned as they are; other encodings are detected by
    :func:`decode` and converted.
    """
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        if _is_utf8(body):
            return body, "utf-8-sig"
    elif not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if looks_binary(data):
            raise _binary(who)
        if _is_utf8(data):
            return data, "utf-8"
    text, encoding = decode(data, who=who)  # other encodings, and the messages for bad ones
    return text.encode("utf-8"), encoding


def _is_utf8(data: bytes) -> bool:
    if data.isascii():  # one pass, no copy: the usual file
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _VALIDATE_BYTES):
            block = view[start : start + _VALIDATE_BYTES]
            if not (block.tobytes().isascii() and decoder.getstate()[0] == b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _head(utf8: bytes) -> str:
    # The first MB as text; an incomplete character at the cut is left out.
    return codecs.getincrementaldecoder("utf-8")().decode(utf8[:_SAMPLE_BYTES])


def detect_delimiter(text: str, *, preferred: str = ",") -> str:
    """Find the delimiter among comma, semicolon, tab and pipe.

    Each candidate splits a sample (the first 64 kB, at most 1,000 records,
    quotes respected); it is consistent if every record has the same number
    of fields, at least two. The preferred delimiter wins if consistent,
    otherwise the consistent one giving the most columns. If none is
    consistent, the one splitting the header most is returned, so that reading
    fails with the line that does not fit.
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    header_fields: dict[str, int] = {}
    consistent: dict[str, int] = {}
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            counts = [len(r) for r in itertools.islice(reader, _SNIFF_ROWS) if r]
        except csv.Error:
            continue
        if truncated and len(counts) > 2:
            counts.pop()  # the last record may be cut off by the sample
        if not counts:
            continue
        header_fields[delimiter] = counts[0]
        if counts[0] >= 2 and all(c == counts[0] for c in counts):
            consistent[delimiter] = counts[0]
    if preferred in consistent:
        return preferred
    if consistent:
        return max(consistent, key=consistent.__getitem__)
    if header_fields and max(header_fields.values()) >= 2:
        return max(header_fields, key=header_fields.__getitem__)
    return preferred


def read_delimited(data: bytes, *, who: str, extension: str) -> tuple[pd.DataFrame, dict]:
    """Read delimited text into a DataFrame.

    Parameters
    ----------
    data : bytes
        The file's content.
    who : str
        How messages name the file.
    extension : str
        ``".csv"``, ``".tsv"``, ``".txt"`` or ``""``; ``.tsv`` and ``.txt`` prefer tabs.

    Returns
    -------
    frame : pandas.DataFrame
    info : dict
        ``encoding``, ``delimiter``, ``missing_tokens`` (column -> markers read
        as NaN), ``renamed`` (new name -> repeated name in the file) and
        ``notes`` (sentences for the user).
    """
    utf8, encoding = to_utf8(data, who=who)
    head = _head(utf8)
    if not head.strip() and len(utf8) <= _SAMPLE_BYTES:
        raise InputError(f"{who} is empty. Choose a file with a header row and data rows.")
    hint = _SEP_HINT.match(head)
    skip = 1 if hint else 0
    if hint:
        delimiter = hint.group(1)
    else:
        delimiter = detect_delimiter(head, preferred="\t" if extension in {".tsv", ".txt"} else ",")
    columns, header = None, _header(utf8, delimiter=delimiter, skip=skip)
    if header is not None and b'"' not in utf8:
        # No quotes: every line is one record and pyarrow sees exactly what the csv module would.
        check_column_names(header[0], who=who)
        columns = _read_fast(utf8, delimiter=delimiter, offset=header[1], n_columns=len(header[0]))
    if columns is None:  # quotes, or a problem: the csv module checks and names the line
        names, n_rows = _scan(utf8, delimiter=delimiter, skip=skip, who=who)
        check_column_names(names, who=who)
        check_has_rows(n_rows, who=who)
        header = (names, _header_end(utf8, delimiter=delimiter, skip=skip))
        columns = _read_fast(
            utf8, delimiter=delimiter, offset=header[1], n_columns=len(names), n_rows=n_rows
        )
        if columns is None:  # pyarrow disagreed or failed: use the csv module's reading
            columns = _read_slow(utf8, delimiter=delimiter, skip=skip, n_columns=len(names))
    del utf8, data  # the caller may still hold the bytes; this function no longer needs them
    # pyarrow's allocator keeps freed buffers (the parser's, about half the table again, and
    # each column's text once typed) unless asked to give them back.
    pool = pa.default_memory_pool()
    pool.release_unused()
    names, renamed = unique_names(header[0])
    check_has_rows(len(columns[0]), who=who)
    series, missing_tokens, notes, thousands = {}, {}, [], []
    for position, name in enumerate(names):
        try:
            column = infer_text_column(columns[position], decimal_comma=delimiter == ";")
        except AmbiguousThousands as exc:
            raise _ambiguous(who, header[0][position], exc.example) from None
        columns[position] = None  # free the text as soon as the column is typed
        pool.release_unused()  # and hand it back: the allocator would keep it (see above)
        series[name] = column.series
        if column.missing_tokens:
            missing_tokens[name] = column.missing_tokens
        if column.thousands:
            thousands.append(name)
    if renamed:
        notes.append(renamed_note(renamed, who=who))
    if thousands:
        shown = ", ".join(f"'{name}'" for name in thousands[:10])
        notes.append(
            f"{who} writes numbers the German way: in {shown}, '.' separates thousands and ',' "
            "is the decimal mark (1.234,5 is 1234.5)."
        )
    frame = pd.DataFrame(series, copy=False)
    info = {
        "encoding": encoding,
        "delimiter": delimiter,
        "missing_tokens": missing_tokens,
        "renamed": renamed,
        "notes": notes,
    }
    return frame, info


def _ambiguous(who: str, column: str, example: str) -> InputError:
    return InputError(
        f"{who}: column '{column}' has numbers such as '{example}' that mean "
        f"{int(example.replace('.', ''))} where ',' is the decimal mark and '.' separates "
        f"thousands, as in this semicolon-separated file, but {float(example):g} where '.' is "
        "the decimal mark, and no value in the column tells which. Save the file again with "
        "numbers written without thousands separators, and upload it again.",
        column=column,
    )


def _lines(stream: io.TextIOBase, counter: list[int]) -> Iterator[str]:
    # Physical lines, counting their bytes in UTF-8 (the stream's encoding).
    while line := stream.readline():
        counter[0] += len(line.encode("utf-8"))
        yield line


def _header(utf8: bytes, *, delimiter: str, skip: int) -> tuple[list[str], int] | None:
    """The header's fields and the offset of the byte after it, or None if unreadable."""
    stream = io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8", newline="")
    consumed = [0]
    lines = _lines(stream, consumed)
    for _ in range(skip):
        next(lines, None)
    # The csv module takes lines only as it needs them: after the header, none is read ahead.
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next((r for r in reader if r), None)
    except csv.Error:
        return None
    if header is None:
        return None
    return header, consumed[0]


def _header_end(utf8: bytes, *, delimiter: str, skip: int) -> int:
    header = _header(utf8, delimiter=delimiter, skip=skip)
    assert header is not None, "_scan read the header"
    return header[1]


def _reader(utf8: bytes, *, delimiter: str, skip: int) -> Any:  # a csv reader (has line_num)
    # Decoded as it is read: no copy of the whole text (io.StringIO would hold 4 bytes a character).
    stream = io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8", newline="")
    for _ in range(skip):
        stream.readline()
    # strict: malformed quoting is an error, not a silently re-interpreted value.
    return csv.reader(stream, delimiter=delimiter, strict=True)


def _records(
    utf8: bytes, *, delimiter: str, skip: int, who: str
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, fields) for every record; blank lines give []."""
    reader = _reader(utf8, delimiter=delimiter, skip=skip)
    end = skip
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_error(exc, line=start, who=who) from exc
        end = skip + reader.line_num
        yield start, record


def _csv_error(exc: csv.Error, *, line: int, who: str) -> InputError:
    message = str(exc)
    if "end of data" in message or "field limit" in message:
        return InputError(
            f"{who}: a quoted value starting on line {line:,} is never closed (or is longer than "
            f'{csv.field_size_limit():,} characters). Check the quotes (") on that line: a '
            'quote inside a quoted value must be doubled ("").'
        )
    return InputError(
        f"{who}: line {line:,} could not be read ({message}). A value that contains quotes must be "
        'entirely quoted, with inner quotes doubled ("like ""this"" one").'
    )


def _scan(utf8: bytes, *, delimiter: str, skip: int, who: str) -> tuple[list[str], int]:
    """The header and number of data rows, checking every row has one field per column."""
    reader = _reader(utf8, delimiter=delimiter, skip=skip)
    header: list[str] = []
    try:
        header = next((r for r in reader if r), [])
        if not header:
            raise InputError(f"{who} is empty. Choose a file with a header row and data rows.")
        check_column_count(len(header), who=who)
        # Count field numbers in C (no per-row Python code): the common case is fast.
        counts = Counter(map(len, reader))
    except csv.Error:
        counts = None  # _raise_first_bad_row finds the line and raises
    n_columns = len(header)
    if counts is None or set(counts) - {0, n_columns}:
        _raise_first_bad_row(utf8, delimiter=delimiter, skip=skip, n_columns=n_columns, who=who)
    assert counts is not None
    return header, counts[n_columns]


def _raise_first_bad_row(
    utf8: bytes, *, delimiter: str, skip: int, n_columns: int, who: str
) -> None:
    records = _records(utf8, delimiter=delimiter, skip=skip, who=who)
    next((r for r in records if r[1]), None)  # the header
    first, bad = None, 0
    for line, record in records:
        if record and len(record) != n_columns:
            bad += 1
            first = first or (line, record)
    if first is None:  # pragma: no cover - _records raised for a csv.Error
        raise AssertionError("no bad row found")
    line, record = first
    name = _DELIMITER_NAMES[delimiter]
    more = f" (and {bad - 1:,} more line{'s' if bad > 2 else ''} like it)" if bad > 1 else ""
    if len(record) == 1 and not record[0].strip():
        detail = f"is blank except for spaces{more}; delete it"
    else:
        values = f"{len(record)} value{'s' if len(record) != 1 else ''}"
        columns = f"{n_columns} column{'s' if n_columns != 1 else ''}"
        detail = (
            f"has {values} but the header has {columns}{more}. Every row needs one value per "
            f"column: check for a missing or extra {name} ({delimiter!r}) on that line, and "
            f"put quotes around values that contain a {name}"
        )
    raise InputError(f"{who}: line {line:,} {detail}.")


def _read_fast(
    utf8: bytes, *, delimiter: str, offset: int, n_columns: int, n_rows: int | None = None
) -> list[pa.ChunkedArray] | None:
    """Every value after the header (at byte ``offset``) as text, read by pyarrow.

    Returns None if a row has the wrong number of values, if pyarrow fails, or
    if it finds another number of rows than ``n_rows`` (the csv module's count).
    """
    invalid = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    quoted = n_rows is not None
    names = [f"c{j}" for j in range(n_columns)]
    rest = pa.py_buffer(utf8)[offset:]
    if not utf8[offset : offset + _SAMPLE_BYTES].strip(b"\r\n") and rest.size <= _SAMPLE_BYTES:
        empty = [pa.chunked_array([], type=pa.string()) for _ in names]
        return None if quoted and n_rows else empty  # pyarrow calls this an error
    try:
        table = pacsv.read_csv(
            pa.BufferReader(rest),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"' if quoted else False,
                double_quote=True,
                escape_char=False,
                newlines_in_values=quoted,
                ignore_empty_lines=True,
                invalid_row_handler=on_invalid,
            ),
            # Every value as the exact text read; types are decided afterwards.
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if invalid or (quoted and table.num_rows != n_rows):
        return None
    columns = list(table.columns)
    # The csv module refuses a value longer than its field limit (and names the line): so
    # must this reading, or a file would read differently with and without quotes.
    limit = csv.field_size_limit()
    if not quoted and any((pc.max(pc.binary_length(c)).as_py() or 0) > limit for c in columns):
        return None
    return columns


def _read_slow(utf8: bytes, *, delimiter: str, skip: int, n_columns: int) -> list[pa.ChunkedArray]:
    chunks: list[list[pa.Array]] = [[] for _ in range(n_columns)]
    records = (r for r in _reader(utf8, delimiter=delimiter, skip=skip) if r)
    next(records)  # the header
    while batch := list(itertools.islice(records, _CHUNK_ROWS)):
        for j, values in enumerate(zip(*batch, strict=True)):
            chunks[j].append(pa.array(values, type=pa.large_string()))
    return [pa.chunked_array(c, type=pa.large_string()) for c in chunks]
