"""Groups that only look identical are named on Data & model and by the CLI (issue 15, item 8).

The core's note (``fairdash.groups.spelling_notes``, part of the problem's
notes) reaches the user in both places, both spellings named.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fairdash.cli import main
from tests.conftest import shown_text

pytest.importorskip(
    "fairdash.groups", reason="the look-alike note comes with the groups module (helper groups)"
)

ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = "\u041cale"  # Cyrillic capital EM, then Latin "ale"


def lookalike_frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    sex = rng.choice(["Male", "Female", CYRILLIC], n, p=[0.45, 0.45, 0.1])
    name = rng.choice([unicodedata.normalize("NFC", "Zoë"), unicodedata.normalize("NFD", "Zoë"),
                       "Ann"], n)
    x = rng.normal(size=n)
    y = (x + rng.normal(size=n) > 0).astype(int)
    return pd.DataFrame({"sex": sex, "first_name": name, "x": x,
                         "pred": (x > 0).astype(int), "y": y})


def _assert_named(text: str) -> None:
    assert "'Male'" in text and repr(CYRILLIC) in text and "U+041C" in text, text


def test_data_model_warns_naming_both_spellings():
    at = AppTest.from_file(str(ROOT / "pages" / "data_model.py"), default_timeout=180)
    at.run()
    at.radio(key="w:data.source").set_value("Upload a file").run()
    content = lookalike_frame().drop(columns="pred").to_csv(index=False).encode()
    at.file_uploader(key="a:data.upload").set_value(("people.csv", content, "text/csv")).run()
    at.selectbox(key="w:data.target").set_value("y").run()
    at.multiselect(key="w:data.sensitive").set_value(["sex", "first_name"]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    warnings = " | ".join(shown_text(w.value) for w in at.warning)
    _assert_named(warnings)
    assert "2 Unicode forms" in warnings  # NFC and NFD Zoë: one group, said so


def test_cli_notes_name_both_spellings(tmp_path):
    path = tmp_path / "people.csv"
    lookalike_frame().to_csv(path, index=False)
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", str(path), "--target", "y", "--prediction", "pred",
                 "--sensitive", "sex", "first_name"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    notes = [line for line in err.getvalue().splitlines() if line.startswith("fairdash: note:")]
    _assert_named(" ".join(notes))
