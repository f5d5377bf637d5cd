"""Read Parquet files with pyarrow."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fairdash._errors import InputError
from fairdash.io._checks import (
    check_column_count,
    check_column_names,
    check_has_rows,
    renamed_note,
    unique_names,
)

__all__ = ["read_parquet"]

# Refuse files that would expand beyond this in memory (e.g. a crafted file).
_MAX_UNCOMPRESSED_BYTES = 4 * 1024**3


def _is_nested(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        return _is_nested(arrow_type.value_type)
    return pa.types.is_nested(arrow_type)


def read_parquet(data: bytes, *, who: str) -> tuple[pd.DataFrame, dict]:
    """Read a Parquet file into a DataFrame.

    Columns keep their Parquet types (strings become ``str``, dictionary
    columns ``category``); an index saved by pandas is restored.

    Repeated column names are renamed as pandas does (``a``, ``a.1``).

    Raises
    ------
    fairdash.InputError
        If the file is damaged, or has nested (list, struct, map) columns,
        blank names, no columns or no rows.
    """
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        schema = parquet.schema_arrow
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(
            f"{who} could not be read as Parquet ({exc}). The file may be damaged or "
            "incomplete: export it again."
        ) from exc
    check_column_count(len(schema), who=who)
    nested = [field.name for field in schema if _is_nested(field.type)]
    if nested:
        shown = ", ".join(repr(name) for name in nested[:10])
        raise InputError(
            f"{who} has nested columns (lists, structs or maps), which a table of one value "
            f"per cell cannot show: {shown}. Flatten them into plain columns (for example "
            "one column per field) or drop them, then save the file again.",
            column=nested[0],
        )
    check_column_names(schema.names, who=who)
    metadata = parquet.metadata
    expanded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if expanded > _MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"{who} would take {expanded / 1e9:.1f} GB of memory once read, more than FairDash "
            "can handle. Keep only the rows and columns you need."
        )
    check_has_rows(metadata.num_rows, who=who)
    names, renamed = unique_names(schema.names)
    try:
        table = parquet.read()
        if renamed:
            table = table.rename_columns(names)
        frame = table.to_pandas()
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(
            f"{who} could not be read as Parquet ({exc}). The file may be damaged, or use "
            "a type FairDash cannot read: export it again with plain columns."
        ) from exc
    check_column_names([str(c) for c in frame.columns], who=who)
    notes = [renamed_note(renamed, who=who)] if renamed else []
    return frame, {"renamed": renamed, "notes": notes}
