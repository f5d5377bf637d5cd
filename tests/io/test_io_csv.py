"""Reading delimited text: encodings, delimiters, quoting, types, and bad files."""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdash import InputError
from fairdash.io import MAX_COLUMNS, _text, read_notes, read_table


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _info(df: pd.DataFrame) -> dict:
    return df.attrs["fairdash_io"]


# --- encodings ---------------------------------------------------------------------------


def test_utf8(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", "name,city\nJosé,Montréal\nZoë,Köln\n".encode()))
    assert df["name"].tolist() == ["José", "Zoë"]
    assert df["city"].tolist() == ["Montréal", "Köln"]
    assert _info(df)["encoding"] == "utf-8"


def test_utf8_bom_is_removed(tmp_path):
    data = b"\xef\xbb\xbf" + "name,score\nJosé,1\n".encode()
    df = read_table(_write(tmp_path, "a.csv", data))
    assert list(df.columns) == ["name", "score"]
    assert "\ufeff" not in df.columns[0]
    assert _info(df)["encoding"] == "utf-8-sig"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_and_cp1252(tmp_path, encoding):
    text = "nom;ville;note\nHélène;Besançon;très bien\nFrançois;Orléans;à revoir\nZoë;Köln;ça va\n"
    df = read_table(_write(tmp_path, "a.csv", text.encode(encoding)))
    assert df["nom"].tolist() == ["Hélène", "François", "Zoë"]
    assert df["note"].tolist() == ["très bien", "à revoir", "ça va"]
    assert _info(df)["encoding"] == "cp1252"


def test_cp1252_specific_characters(tmp_path):
    text = "item,price\n“quoted” – dash,€5\n"
    df = read_table(_write(tmp_path, "a.csv", text.encode("cp1252")))
    assert df["item"].tolist() == ["“quoted” – dash"]
    assert df["price"].tolist() == ["€5"]


def test_single_accent_in_a_long_latin1_file(tmp_path):
    text = "a,b\n" + "1,2\n" * 500 + "café,3\n"
    df = read_table(_write(tmp_path, "a.csv", text.encode("latin-1")))
    assert df["a"].iloc[-1] == "café"
    assert len(df) == 501


def test_non_western_legacy_encoding_falls_back_to_detection(tmp_path):
    text = "имя,город\n" + "Иван,Москва\nПётр,Санкт-Петербург\n" * 5
    df = read_table(_write(tmp_path, "a.csv", text.encode("cp1251")))
    assert list(df.columns) == ["имя", "город"]
    assert df["город"].iloc[0] == "Москва"


def test_utf16_with_bom(tmp_path):
    # What Excel writes for "Unicode Text".
    df = read_table(_write(tmp_path, "a.txt", "a\tb\n1\té\n".encode("utf-16")))
    assert df.to_dict("list") == {"a": [1], "b": ["é"]}


def test_bom_with_invalid_utf8_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r"UTF-8"):
        read_table(_write(tmp_path, "a.csv", b"\xef\xbb\xbfa,b\n\xff\xfe,1\n"))


# --- delimiters and quoting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(",", "a.csv"), (";", "a.csv"), ("\t", "a.tsv"), ("\t", "a.csv"), ("|", "a.txt")],
)
def test_delimiters(tmp_path, delimiter, name):
    rows = [["sex", "age", "label"], ["f", "31", "yes"], ["m", "45", "no"]]
    data = "\n".join(delimiter.join(r) for r in rows).encode()
    df = read_table(_write(tmp_path, name, data))
    assert df.to_dict("list") == {"sex": ["f", "m"], "age": [31, 45], "label": ["yes", "no"]}
    assert _info(df)["delimiter"] == delimiter


def test_quoted_delimiters_newlines_and_quotes(tmp_path):
    data = b'name,comment,n\n"Smith, John","line 1\nline 2",1\nDoe,"he said ""hi""",2\n'
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df["name"].tolist() == ["Smith, John", "Doe"]
    assert df["comment"].tolist() == ["line 1\nline 2", 'he said "hi"']
    assert df["n"].tolist() == [1, 2]


def test_quoted_semicolons_in_a_semicolon_file(tmp_path):
    data = b'a;b\n"x;y";1\n"z";2\n'
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df.to_dict("list") == {"a": ["x;y", "z"], "b": [1, 2]}


def test_commas_inside_values_do_not_fool_semicolon_detection(tmp_path):
    data = b"name;note\nAnn;fine, thanks\nBob;ok\n"
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df["note"].tolist() == ["fine, thanks", "ok"]


def test_excel_sep_hint_line(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"sep=;\na;b\n1;2\n"))
    assert df.to_dict("list") == {"a": [1], "b": [2]}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path, newline):
    data = newline.join(["a,b", "1,x", '2,"y' + newline + 'z"', ""]).encode()
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df["a"].tolist() == [1, 2]
    assert df["b"].tolist() == ["x", "y" + newline + "z"]


def test_no_final_newline_and_blank_lines(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"\na,b\n1,2\n\n3,4"))
    assert df.to_dict("list") == {"a": [1, 3], "b": [2, 4]}


def test_single_column(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"score\n1\n2\n3\n"))
    assert df.to_dict("list") == {"score": [1, 2, 3]}


def test_large_file_uses_all_rows(tmp_path):
    n = 200_000
    body = "".join(f"{i},g{i % 3},{i * 0.5}\n" for i in range(n))
    df = read_table(_write(tmp_path, "a.csv", ("id,group,x\n" + body).encode()))
    assert len(df) == n
    assert df["id"].iloc[-1] == n - 1 and df["x"].iloc[-1] == (n - 1) * 0.5


def test_very_long_row_is_read(tmp_path):
    # A row longer than pyarrow's block size (1 MB): read by the csv-module path instead.
    header = ",".join(f"c{i}" for i in range(20))
    row = ",".join(["x" * 100_000] * 20)
    df = read_table(_write(tmp_path, "a.csv", f"{header}\n{row}\n{row}\n".encode()))
    assert df.shape == (2, 20)
    assert (df.map(len) == 100_000).all().all()


# --- values are kept, types inferred conservatively --------------------------------------


def test_values_are_kept_as_read(tmp_path):
    data = b"name,code,note\n  padded  ,007,NA\nx,012,None\n"
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df["name"].tolist() == ["  padded  ", "x"]
    assert df["code"].tolist() == ["007", "012"]  # leading zeros: stays text
    assert df["note"].tolist() == ["NA", "None"]  # text column: markers stay text


def test_types(tmp_path):
    data = b"i,f,b,s,e\n1,1.5,true,a,\n-2,-1e3,False,b,\n+3,inf,TRUE,c,\n"
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df["i"].dtype == "int64" and df["i"].tolist() == [1, -2, 3]
    assert df["f"].dtype == "float64" and df["f"].tolist() == [1.5, -1000.0, math.inf]
    assert df["b"].dtype == bool and df["b"].tolist() == [True, False, True]
    assert df["s"].dtype == "str"
    assert df["e"].dtype == "float64" and df["e"].isna().all()


def test_missing_markers_in_numeric_columns(tmp_path):
    data = b"country,income,age\nNA,NA,31\nFR,100,?\nDE, ,n/a\nUS,,40\n"
    df = read_table(_write(tmp_path, "a.csv", data))
    assert df["country"].tolist() == ["NA", "FR", "DE", "US"]  # Namibia stays
    np.testing.assert_array_equal(df["income"], [np.nan, 100, np.nan, np.nan])
    np.testing.assert_array_equal(df["age"], [31, np.nan, np.nan, 40])
    assert _info(df)["missing_tokens"] == {"income": ["NA"], "age": ["?", "n/a"]}


def test_empty_text_is_missing(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"a,b\nx,1\n,2\n"))
    assert df["a"].isna().tolist() == [False, True]


def test_integers_with_missing_become_float_unless_rounded(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"a,b\n1,9007199254740993\n,1\n"))
    assert df["a"].dtype == "float64"
    assert df["b"].dtype == "int64" and df["b"].iloc[0] == 9007199254740993
    df = read_table(_write(tmp_path, "b.csv", b"a,b\n1,9007199254740993\n2,\n"))
    assert df["b"].tolist() == ["9007199254740993", np.nan]  # float64 would round it


def test_integers_beyond_int64_stay_text(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"a\n99999999999999999999\n1\n"))
    assert df["a"].tolist() == ["99999999999999999999", "1"]


def test_decimal_comma_in_semicolon_files(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"name;score;n\nAnn;1,5;1\nBob;2;2\n"))
    assert df["score"].tolist() == [1.5, 2.0]
    df = read_table(_write(tmp_path, "b.csv", b'name,score\nAnn,"1,5"\nBob,2\n'))
    assert df["score"].tolist() == ["1,5", "2"]  # not in comma-separated files


def test_german_thousands_separator_is_read_per_column(tmp_path):
    data = (
        b"name;amount;rate;count\n"
        b"Ann;20.000;1,5;1.000.000\n"
        b"Bob;1.234,5;2;7\n"
        b"Cem;-3,25;0,5;12.345\n"
    )
    df = read_table(_write(tmp_path, "de.csv", data))
    # Reference: the German reading, done by hand.
    assert df["amount"].tolist() == [20000.0, 1234.5, -3.25]
    assert df["rate"].tolist() == [1.5, 2.0, 0.5]
    assert df["count"].tolist() == [1_000_000.0, 7.0, 12_345.0]
    (note,) = read_notes(df)
    assert "'amount', 'count'" in note and "thousands" in note


def test_dotted_numbers_with_a_decimal_point_in_semicolon_files(tmp_path):
    # One value that cannot be thousands (1.5, 0.250, 1e3) settles the decimal point.
    df = read_table(_write(tmp_path, "a.csv", b"a;b;c\n20.000;0.250;1e3\n1.5;1.000;2.000\n"))
    assert df["a"].tolist() == [20.0, 1.5]
    assert df["b"].tolist() == [0.25, 1.0]
    assert df["c"].tolist() == [1000.0, 2.0]
    assert read_notes(df) == []


def test_dotted_numbers_that_could_be_thousands_stop_with_the_column(tmp_path):
    with pytest.raises(InputError, match=r"column 'income'.*'20\.000'.*20000.*20") as info:
        read_table(_write(tmp_path, "a.csv", b"id;income\n1;20.000\n2;350\n3;1.500\n"))
    assert info.value.column == "income"
    # In comma-separated files a dot is always the decimal point.
    df = read_table(_write(tmp_path, "b.csv", b"id,income\n1,20.000\n2,350\n"))
    assert df["income"].tolist() == [20.0, 350.0]


def test_german_numbers_that_do_not_fit_stay_text(tmp_path):
    # "1.23" is no German number (groups of three) and "1,5" no English one: keep the text.
    df = read_table(_write(tmp_path, "a.csv", b"a;b\n1.23;x\n1,5;y\n"))
    assert df["a"].tolist() == ["1.23", "1,5"]


def test_hex_and_other_number_lookalikes_stay_text(tmp_path):
    df = read_table(_write(tmp_path, "a.csv", b"a,b\n0x10,1_000\n1,2\n"))
    assert df["a"].tolist() == ["0x10", "1"] and df["b"].tolist() == ["1_000", "2"]


def test_attrs_record_how_it_was_read(tmp_path):
    df = read_table(_write(tmp_path, "data.csv", b"a;b\n1;2\n"))
    assert _info(df) == {
        "name": "data.csv",
        "format": "csv",
        "encoding": "utf-8",
        "delimiter": ";",
        "missing_tokens": {},
        "renamed": {},
        "notes": [],
    }


# --- bad files ----------------------------------------------------------------------------


def _error(tmp_path, data: bytes, name: str = "bad.csv") -> str:
    with pytest.raises(InputError) as info:
        read_table(_write(tmp_path, name, data))
    message = str(info.value)
    assert "'bad.csv'" in message or name != "bad.csv"
    return message


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, data):
    assert "is empty" in _error(tmp_path, data)


def test_header_only(tmp_path):
    assert "no data rows" in _error(tmp_path, b"a,b,c\n")
    assert "no data rows" in _error(tmp_path, b"a,b,c\n\n\n")


def test_binary_garbage(tmp_path):
    garbage = np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert "binary" in _error(tmp_path, garbage)
    assert "binary" in _error(tmp_path, b"a,b\n1,\x00\x00\x002\n")


def test_ragged_rows_name_the_line(tmp_path):
    message = _error(tmp_path, b"a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n")
    assert "line 3" in message and "2 values" in message and "3 columns" in message
    assert "1 more line" in message


def test_ragged_line_numbers_count_quoted_newlines(tmp_path):
    message = _error(tmp_path, b'a,b\n1,"x\ny\nz"\n2\n')
    assert "line 5" in message


def test_extra_value_is_an_error(tmp_path):
    assert "line 2" in _error(tmp_path, b"a,b\n1,2,3\n")


def test_whitespace_only_line(tmp_path):
    assert "line 3 is blank" in _error(tmp_path, b"a,b\n1,2\n   \n3,4\n")


def test_repeated_column_names_are_renamed_as_pandas_does(tmp_path):
    data = b"id,decile_score,priors_count,decile_score,priors_count\n1,3,0,4,1\n2,9,5,8,6\n"
    path = _write(tmp_path, "compas.csv", data)
    df = read_table(path)
    expected = pd.read_csv(path)  # pandas is the reference for the new names
    assert list(df.columns) == list(expected.columns) == [
        "id", "decile_score", "priors_count", "decile_score.1", "priors_count.1"
    ]
    assert df["decile_score.1"].tolist() == [4, 8]  # each column keeps its own values
    np.testing.assert_array_equal(df.to_numpy(), expected.to_numpy())
    assert _info(df)["renamed"] == {
        "decile_score.1": "decile_score",
        "priors_count.1": "priors_count",
    }
    (note,) = read_notes(df)
    assert "'compas.csv'" in note and "'decile_score.1', 'priors_count.1'" in note


@pytest.mark.parametrize(
    "header",
    ["a,a,a", "a,a,a.1", "a,a.1,a", "a.1,a,a", "x,a,a.1,a,a.1,a.2", "b,b.1,b,b.1.1,b"],
)
@pytest.mark.parametrize("quoted", [False, True])
def test_renaming_matches_pandas_in_tricky_cases(tmp_path, header, quoted):
    n = header.count(",") + 1
    row = ",".join('"v"' if quoted else "v" for _ in range(n))
    path = _write(tmp_path, "d.csv", f"{header}\n{row}\n".encode())
    df = read_table(path)
    assert list(df.columns) == list(pd.read_csv(path).columns)
    assert len(set(df.columns)) == n
    renamed = _info(df)["renamed"]
    assert {new: old for new, old in renamed.items()} == {
        new: old for new, old in zip(df.columns, header.split(","), strict=True) if new != old
    }


@pytest.mark.parametrize("header", [b"a,,c", b"a, ,c", b'a,"",c'])
def test_blank_column_names(tmp_path, header):
    assert "no name for column 2" in _error(tmp_path, header + b"\n1,2,3\n")


def test_unclosed_quote(tmp_path):
    message = _error(tmp_path, b'a,b\n1,"oops\n2,3\n')
    assert "line 2" in message and "never closed" in message


def test_text_after_closing_quote(tmp_path):
    assert "line 2" in _error(tmp_path, b'a,b\n1,"x"y\n')


def test_too_many_columns(tmp_path):
    n = MAX_COLUMNS + 1
    data = (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join(["1"] * n) + "\n").encode()
    assert re.search(r"10,001 columns.*at most 10,000", _error(tmp_path, data))


def test_every_failure_is_an_input_error(tmp_path):
    # A mix of damaged files: nothing but InputError may escape.
    rng = np.random.default_rng(1)
    good = b'a,b,c\n1,"x, y",3\n4,5,6\n'
    for seed in range(200):
        data = bytearray(good)
        for _ in range(3):
            data[rng.integers(len(data))] = rng.integers(256)
        try:
            read_table(bytes(data), name=f"fuzz{seed}.csv")
        except InputError as exc:
            assert str(exc)


def test_random_bytes_without_a_name(tmp_path):
    with pytest.raises(InputError):
        read_table(os.urandom(10_000))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["h", "h1,h2", "h1,h2,h3"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.lists(st.sampled_from(["a", ",", '"', '""', "\n", "\r\n", "\r", " ", "1", "\t"])),
)
def test_fast_reader_agrees_with_the_csv_module(header, newline, pieces):
    # pyarrow reads the values; Python's csv module is the reference for what they are.
    utf8 = (header + newline + "".join(pieces)).encode()
    quoted = b'"' in utf8
    try:
        names, n_rows = _text._scan(utf8, delimiter=",", skip=0, who="x")
    except InputError:
        # Without quotes pyarrow alone reads the file: it must refuse what the csv module refuses.
        found = _text._header(utf8, delimiter=",", skip=0)
        if not quoted and found is not None:
            names, offset = found
            fast = _text._read_fast(utf8, delimiter=",", offset=offset, n_columns=len(names))
            assert fast is None
        return
    offset = _text._header_end(utf8, delimiter=",", skip=0)
    slow = _text._read_slow(utf8, delimiter=",", skip=0, n_columns=len(names))
    slow = [c.to_pylist() for c in slow]
    fast = _text._read_fast(utf8, delimiter=",", offset=offset, n_columns=len(names), n_rows=n_rows)
    assert fast is not None
    assert [c.to_pylist() for c in fast] == slow
    if not quoted:
        unquoted = _text._read_fast(utf8, delimiter=",", offset=offset, n_columns=len(names))
        assert unquoted is not None
        assert [c.to_pylist() for c in unquoted] == slow


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["0", "7", "-0", "+3", "-12", "007", " 5", "5 ", "NA", "", "1.5",
             "9223372036854775807", "9223372036854775808", "9007199254740993", "x"]
        ),
        min_size=1,
        max_size=12,
    )
)
def test_integer_columns_follow_python_int(values):
    # Reference: Python's int() on the values, by the documented rule.
    df = read_table(("n,v\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values))).encode(),
                    name="ints.csv")
    column = df["v"]
    # Numbers may be padded with spaces; nothing may be missing for int64.
    plain = all(re.fullmatch(r"[+-]?(0|[1-9][0-9]*)", v.strip()) for v in values)
    if plain and all(-(2**63) <= int(v) < 2**63 for v in values):
        assert column.dtype == "int64" and column.tolist() == [int(v) for v in values]
    else:
        assert column.dtype != "int64"
    if any(re.fullmatch(r"[+-]?0[0-9]+", v.strip()) for v in values):
        assert column.dtype == "str"  # leading zeros: the digits are kept as text
