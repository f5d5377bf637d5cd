"""Parquet, Excel, format detection, sources and limits."""

from __future__ import annotations

import datetime
import io
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fairdash import InputError
from fairdash.io import SUPPORTED_EXTENSIONS, excel_sheet_names, read_notes, read_table


class UploadedFile(io.BytesIO):
    """Like Streamlit's UploadedFile: a BytesIO with a name."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- Parquet ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["t.parquet", "t.pq", "T.PARQUET"])
def test_parquet(tmp_path, name):
    df = pd.DataFrame({"sex": ["f", "m", None], "age": [31, 45, 50], "score": [0.5, np.nan, 1]})
    df.to_parquet(tmp_path / name)
    out = read_table(tmp_path / name)
    pd.testing.assert_frame_equal(out, df)
    assert out.attrs["fairdash_io"]["format"] == "parquet"


def test_parquet_nested_columns_are_named(tmp_path):
    table = pa.table(
        {
            "ok": [1, 2],
            "tags": [["a"], ["b", "c"]],
            "address": [{"city": "x"}, {"city": "y"}],
            "props": pa.array([[("k", 1)], []], type=pa.map_(pa.string(), pa.int64())),
        }
    )
    with pytest.raises(InputError, match=r"nested columns.*'tags', 'address', 'props'") as info:
        read_table(_write(tmp_path, "n.parquet", _parquet(table)))
    assert info.value.column == "tags"


def test_parquet_repeated_names_are_renamed_and_blank_names_refused(tmp_path):
    table = pa.table([pa.array([1]), pa.array([2]), pa.array([3])], names=["a", "a", "a.1"])
    path = _write(tmp_path, "d.parquet", _parquet(table))
    df = read_table(path)
    # The same names pandas gives the same header in a CSV file.
    csv_path = _write(tmp_path, "d.csv", b"a,a,a.1\n1,2,3\n")
    assert list(df.columns) == list(pd.read_csv(csv_path).columns) == ["a", "a.2", "a.1"]
    assert df.iloc[0].tolist() == [1, 2, 3]
    assert df.attrs["fairdash_io"]["renamed"] == {"a.2": "a"}
    assert "renamed 'a.2'" in read_notes(df)[0]
    table = pa.table([pa.array([1]), pa.array([2])], names=["a", " "])
    with pytest.raises(InputError, match=r"no name for column 2"):
        read_table(_write(tmp_path, "b.parquet", _parquet(table)))


def test_parquet_without_rows(tmp_path):
    table = pa.table({"a": pa.array([], type=pa.int64())})
    with pytest.raises(InputError, match=r"no data rows"):
        read_table(_write(tmp_path, "e.parquet", _parquet(table)))


def test_damaged_parquet(tmp_path):
    data = _parquet(pa.table({"a": list(range(100))}))
    damaged = data[:4] + b"\x00" * 50 + data[54:-12] + data[-4:]
    with pytest.raises(InputError, match=r"could not be read as Parquet"):
        read_table(_write(tmp_path, "x.parquet", damaged))
    with pytest.raises(InputError, match=r"could not be read as Parquet"):
        read_table(_write(tmp_path, "y.parquet", data[: len(data) // 2]))


# --- Excel --------------------------------------------------------------------------------


def test_xlsx_first_sheet_by_default_and_sheet_choice(tmp_path):
    data = _xlsx(
        {
            "people": [["name", "age"], ["Ann", 31], ["Bob", 45]],
            "scores": [["score"], [0.5], [0.25]],
        }
    )
    path = _write(tmp_path, "two.xlsx", data)
    assert excel_sheet_names(path) == ["people", "scores"]
    first = read_table(path)
    assert first.to_dict("list") == {"name": ["Ann", "Bob"], "age": [31, 45]}
    assert first.attrs["fairdash_io"]["sheet_names"] == ["people", "scores"]
    assert first.attrs["fairdash_io"]["sheet"] == "people"
    assert read_table(path, sheet="scores").to_dict("list") == {"score": [0.5, 0.25]}
    assert read_table(path, sheet=1).equals(read_table(path, sheet="scores"))
    with pytest.raises(InputError, match=r"no sheet called 'nope'.*'people', 'scores'"):
        read_table(path, sheet="nope")
    with pytest.raises(InputError, match=r"no sheet number 2"):
        read_table(path, sheet=2)


def test_xlsx_types(tmp_path):
    when = datetime.datetime(2024, 5, 17, 9, 30)
    data = _xlsx(
        {
            "s": [
                ["int", "float", "text", "bool", "date", "mixed", "code"],
                [1, 1.5, "a", True, when, 5, "007"],
                [2, None, None, False, None, "n/a", "012"],
            ]
        }
    )
    df = read_table(_write(tmp_path, "t.xlsx", data))
    assert df["int"].dtype == "int64"
    assert df["float"].dtype == "float64" and np.isnan(df["float"].iloc[1])
    assert df["text"].dtype == "str" and df["text"].isna().tolist() == [False, True]
    assert df["bool"].dtype == bool
    assert df["date"].dtype.kind == "M" and df["date"].iloc[0] == pd.Timestamp(when)
    assert df["mixed"].tolist()[0] == 5.0 and np.isnan(df["mixed"].iloc[1])
    assert df.attrs["fairdash_io"]["missing_tokens"] == {"mixed": ["n/a"]}
    assert df["code"].tolist() == ["007", "012"]


def test_xlsx_text_starting_with_equals_stays_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "note"])
    sheet.append(["x", "ignored"])
    sheet["B2"].value = '=HYPERLINK("http://evil")'
    sheet["B2"].data_type = "s"  # a text cell, as a spreadsheet saves text typed with a quote
    buffer = io.BytesIO()
    workbook.save(buffer)
    df = read_table(_write(tmp_path, "f.xlsx", buffer.getvalue()))
    assert df["note"].tolist() == ['=HYPERLINK("http://evil")']


def _with_formula(cached: str | None) -> bytes:
    """A workbook with B2 = A2*2, saved with the given result (as Excel would) or none."""
    data = _xlsx({"s": [["a", "b"], [21, "=A2*2"]]})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                content = content.replace(b"<v />", f"<v>{cached}</v>".encode())
            target.writestr(item, content)
    return out.getvalue()


def test_xlsx_formulas_give_the_saved_result_and_are_never_evaluated(tmp_path):
    # The saved result is deliberately wrong: it must be read, not recalculated.
    df = read_table(_write(tmp_path, "f.xlsx", _with_formula("43")))
    assert df.to_dict("list") == {"a": [21], "b": [43]}


def test_xlsx_formula_without_saved_result(tmp_path):
    with pytest.raises(InputError, match=r"1 formula cell without a saved result \(first: B2\)"):
        read_table(_write(tmp_path, "f.xlsx", _with_formula(None)))


def test_xlsx_table_not_at_a1_and_empty_rows(tmp_path):
    data = _xlsx({"s": [[], [None, "a", "b"], [None, 1, "x"], [], [None, 2, "y"], [None, None]]})
    df = read_table(_write(tmp_path, "t.xlsx", data))
    assert df.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}


def test_xlsx_bad_tables(tmp_path):
    cases = {
        "empty": ({"s": []}, "is empty"),
        "header only": ({"s": [["a", "b"]]}, "no data rows"),
        "blank name": ({"s": [["a", None, "c"], [1, 2, 3]]}, "no name for column 2"),
    }
    for label, (sheets, message) in cases.items():
        with pytest.raises(InputError, match=message):
            read_table(_write(tmp_path, "t.xlsx", _xlsx(sheets)))
        assert label


def test_xlsx_repeated_names_are_renamed(tmp_path):
    data = _xlsx({"s": [["score", "id", "score"], [1, "x", 2]]})
    df = read_table(_write(tmp_path, "t.xlsx", data))
    assert df.to_dict("list") == {"score": [1], "id": ["x"], "score.1": [2]}
    assert df.attrs["fairdash_io"]["renamed"] == {"score.1": "score"}
    (note,) = read_notes(df)
    assert "'t.xlsx' (sheet 's')" in note and "'score'" in note and "'score.1'" in note


def test_xlsx_numeric_header_becomes_text(tmp_path):
    df = read_table(_write(tmp_path, "t.xlsx", _xlsx({"s": [["id", 2024], [1, 2]]})))
    assert list(df.columns) == ["id", "2024"]


def test_zip_that_is_not_a_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"ZIP archive but not an Excel workbook"):
        read_table(_write(tmp_path, "z.xlsx", buffer.getvalue()))
    with pytest.raises(InputError, match=r"not a valid Excel workbook"):
        read_table(_write(tmp_path, "z.xlsx", b"PK\x03\x04" + b"\x00" * 100))


def test_excel_sheet_names_of_a_csv(tmp_path):
    with pytest.raises(InputError, match=r"not an Excel workbook"):
        excel_sheet_names(_write(tmp_path, "a.csv", b"a\n1\n"))


# --- format detection, unsafe formats ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("data.csv", lambda: _xlsx({"s": [["a"], [1]]}), "named .csv but its content is a ZIP"),
        ("data.csv", lambda: _parquet(pa.table({"a": [1]})), "rename it to .parquet"),
        ("data.xlsx", lambda: b"a,b\n1,2\n", "named .xlsx but its content is text"),
        ("data.parquet", lambda: b"a,b\n1,2\n", "named .parquet but its content is text"),
        ("data.parquet", lambda: _xlsx({"s": [["a"], [1]]}), "rename it to .xlsx"),
        ("data.xlsx", lambda: _parquet(pa.table({"a": [1]})), "rename it to .parquet"),
        ("data.xlsx", lambda: bytes(range(256)) * 4, "not a valid .xlsx file"),
    ],
)
def test_extension_and_content_must_agree(tmp_path, name, make, message):
    with pytest.raises(InputError, match=re.escape(message)):
        read_table(_write(tmp_path, name, make()))


def test_content_decides_without_an_extension():
    assert read_table(b"a;b\n1;2\n").attrs["fairdash_io"]["format"] == "csv"
    assert read_table(_parquet(pa.table({"a": [1]}))).attrs["fairdash_io"]["format"] == "parquet"
    df = read_table(_xlsx({"s": [["a"], [1]]}), name="noextension")
    assert df.attrs["fairdash_io"]["format"] == "xlsx"


@pytest.mark.parametrize("name", ["m.pkl", "m.pickle", "m.joblib", "a.npy", "a.npz", "t.h5"])
def test_pickles_and_executable_formats_are_refused(tmp_path, name):
    # A pickle that would run code if loaded: it must never be.
    class Boom:
        def __reduce__(self):
            return (Path("/should-never-exist").touch, ())

    data = pickle.dumps(Boom())
    with pytest.raises(InputError, match=r"not supported.*can run code"):
        read_table(_write(tmp_path, name, data))
    assert not Path("/should-never-exist").exists()


def test_pickle_content_is_refused_whatever_the_name(tmp_path):
    data = pickle.dumps(pd.DataFrame({"a": [1]}))
    for name in ("a.csv", None):
        with pytest.raises(InputError, match=r"pickle"):
            read_table(data, name=name)


def test_npy_with_pickled_objects_is_refused(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match=r"not supported"):
        read_table(buffer.getvalue(), name="x.npy")
    with pytest.raises(InputError, match=r"not supported"):
        read_table(buffer.getvalue())


@pytest.mark.parametrize(
    ("name", "message"),
    [("old.xls", "only .xlsx"), ("macro.xlsm", "only .xlsx"), ("a.json", "not supported")],
)
def test_other_formats(tmp_path, name, message):
    with pytest.raises(InputError, match=message):
        read_table(_write(tmp_path, name, b"{}"))


def test_old_excel_content_is_named():
    with pytest.raises(InputError, match=r"only .xlsx"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_supported_extensions():
    assert set(SUPPORTED_EXTENSIONS) == {"csv", "tsv", "txt", "parquet", "pq", "xlsx"}


# --- sources and limits -------------------------------------------------------------------


def test_sources(tmp_path):
    data = b"a,b\n1,2\n"
    expected = {"a": [1], "b": [2]}
    path = _write(tmp_path, "a.csv", data)
    assert read_table(data).to_dict("list") == expected
    assert read_table(bytearray(data)).to_dict("list") == expected
    assert read_table(memoryview(data)).to_dict("list") == expected
    assert read_table(path).to_dict("list") == expected
    assert read_table(str(path)).to_dict("list") == expected
    with path.open("rb") as handle:
        assert read_table(handle).to_dict("list") == expected
        assert read_table(handle).to_dict("list") == expected  # read again, from the start
        assert read_table(handle).attrs["fairdash_io"]["name"] == "a.csv"


def test_uploaded_file_name_and_rereading():
    upload = UploadedFile(b"\x00binary", "data.csv")
    with pytest.raises(InputError, match=r"'data.csv'"):
        read_table(upload)
    upload = UploadedFile(_xlsx({"s": [["a"], [1]]}), "data.xlsx")
    upload.read()  # a previous run of the app consumed it
    assert read_table(upload).to_dict("list") == {"a": [1]}
    assert excel_sheet_names(upload) == ["s"]
    assert read_table(upload, name="override.xlsx").attrs["fairdash_io"]["name"] == "override.xlsx"


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(InputError, match=r"does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match=r"is a folder"):
        read_table(tmp_path)


def test_wrong_source_types_are_programming_errors():
    with pytest.raises(TypeError):
        read_table(123)
    with pytest.raises(TypeError, match=r"binary mode"):
        read_table(io.StringIO("a,b\n1,2\n"))


def test_max_bytes(tmp_path):
    data = b"a,b\n" + b"1,2\n" * 1000
    path = _write(tmp_path, "big.csv", data)
    for source in (data, path, UploadedFile(data, "big.csv"), path.open("rb")):
        with pytest.raises(InputError, match=r"over the limit of 1.0 kB \(1,000 bytes\)"):
            read_table(source, max_bytes=1000, name="big.csv")
    assert len(read_table(path, max_bytes=len(data))) == 1000
    with pytest.raises(InputError, match=r"limit"):
        excel_sheet_names(data, max_bytes=10)


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_damaged_binary_files_raise_input_errors(fmt):
    rng = np.random.default_rng(2)
    if fmt == "xlsx":
        good = _xlsx({"s": [["a", "b"], *[[i, f"t{i}"] for i in range(50)]]})
    else:
        good = _parquet(pa.table({"a": list(range(50)), "b": [f"t{i}" for i in range(50)]}))
    for seed in range(60):
        data = bytearray(good)
        for _ in range(4):
            data[rng.integers(4, len(data))] = rng.integers(256)
        try:
            read_table(bytes(data), name=f"fuzz{seed}.{fmt}")
        except InputError as exc:
            assert str(exc)


# --- Excel budgets: size, cells, time ---------------------------------------------------


def _sheet_bomb(n_rows: int) -> bytes:
    """A workbook whose one sheet is n_rows x 10 cells of "1" with no stated size."""
    base = zipfile.ZipFile(io.BytesIO(_xlsx({"s": [["a"]]})))
    cells = "".join(f'<c r="{c}{{i}}"><v>1</v></c>' for c in "ABCDEFGHIJ")
    rows = "".join(f'<row r="{i}">{cells.format(i=i)}</row>' for i in range(2, n_rows + 2))
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c}</t></is></c>' for c in "ABCDEFGHIJ")
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData><row r="1">{header}</row>{rows}'
        "</sheetData></worksheet>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in base.infolist():
            data = base.read(item.filename)
            archive.writestr(item, sheet if item.filename.endswith("sheet1.xml") else data)
    return out.getvalue()


def test_excel_expanding_beyond_the_budget_is_refused_before_parsing(tmp_path, monkeypatch):
    from fairdash.io import _excel

    data = _sheet_bomb(70_000)  # about 19 MB of sheet XML in a ZIP of about 1 MB
    assert len(data) < 2_000_000
    parsed = []
    monkeypatch.setattr(_excel.openpyxl, "load_workbook", lambda *a, **k: parsed.append(1))
    with pytest.raises(InputError, match=r"expands to 1\d\.\d MB.*up to 16\.8 MB.*CSV"):
        read_table(_write(tmp_path, "bomb.xlsx", data))
    assert parsed == []  # refused from the ZIP directory alone


def test_excel_within_the_budget_is_read_whole(tmp_path):
    df = read_table(_write(tmp_path, "ok.xlsx", _sheet_bomb(2_000)))
    assert df.shape == (2_000, 10) and (df == 1).all().all()


def test_excel_cell_budget_counts_empty_cells_up_to_the_last_column(tmp_path, monkeypatch):
    from fairdash.io import _excel

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "a", "b"
    for row in range(2, 40):
        sheet.cell(row=row, column=1, value=row)
        sheet.cell(row=row, column=16_384, value=1)  # column XFD: 16,384 cells a row
    buffer = io.BytesIO()
    workbook.save(buffer)
    monkeypatch.setattr(_excel, "_MAX_CELLS", 200_000)
    with pytest.raises(InputError, match=r"more than 200,000 cells.*CSV"):
        read_table(_write(tmp_path, "wide.xlsx", buffer.getvalue()))


def test_excel_time_budget(tmp_path, monkeypatch):
    from fairdash.io import _excel

    monkeypatch.setattr(_excel, "_MAX_SECONDS", -1.0)  # already over: the check itself is tested
    with pytest.raises(InputError, match=r"took more than -1 seconds to read.*CSV"):
        read_table(_write(tmp_path, "slow.xlsx", _sheet_bomb(10)))
