"""Markup in data never reaches a page as markup: every page, in AppTest.

A hostile file (a column named like a markdown image, group values that are
links, styled spans, LaTeX and bold, a hostile file name) is uploaded, trained
on, restored from a configuration and shown on every page; every string a page
hands to Streamlit's markdown (messages, captions, widget labels, radio
options, progress texts, toasts) is checked for unescaped markup.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["home", "data_model", "mitigate", "compare", "explore", "discover", "whatif", "report"]

COLUMN = "![c](http://127.0.0.1:9911/x.png)"
AGE = '<a href="http://127.0.0.1:9911/age">age</a>'
SEX = ['<a href="http://x">m</a>', '<span style="font-size:90px">f</span>']
RACE = ["$x^2$", "**b**"]
FILE_NAME = "![f](http://127.0.0.1:9911/f.png) <a href='http://x'>data</a>.csv"
MODEL = '![m](http://127.0.0.1:9911/m.png) <a href="http://x">model</a>'
# Unescaped markup: an image or link, an HTML link, a style attribute, a bare URL.
# markdown_text puts a backslash before every punctuation character and a word joiner
# in every URL, so escaped text never matches.
MARKUP = re.compile(
    r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|(?<!\\)<a|style=|(?<!\\)\$x"
    r"|https?\\?:\\?/"  # a bare URL GitHub-flavoured markdown would link (no word joiner)
)
# Proto fields Streamlit renders as markdown. Options of selectboxes and multiselects
# are plain text (only radio options are markdown); figures and tables are checked elsewhere.
MARKDOWN_FIELDS = {"body", "label", "text", "help", "caption"}


def hostile_frame(n: int = 480) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    sex, race = rng.choice(SEX, n), rng.choice(RACE, n)
    x = rng.normal(size=n)
    y = (x + (sex == SEX[0]) * 0.8 + rng.normal(scale=0.7, size=n) > 0.4).astype(int)
    return pd.DataFrame({COLUMN: sex, "race": race, AGE: rng.integers(18, 80, n),
                         "x": x, "z": rng.normal(size=n), "y": y})


def hostile_csv() -> bytes:
    text = hostile_frame().to_csv(index=False)
    # A repeated header: read_table renames it and says so in a read note quoting it.
    lines = text.splitlines()
    lines[0] += f",{COLUMN}"
    lines[1:] = [line + ",1" for line in lines[1:]]
    return ("\n".join(lines) + "\n").encode()


def _strings(node, key=None):
    if isinstance(node, str):
        yield key, node
    elif isinstance(node, dict):
        for k, value in node.items():
            yield from _strings(value, k)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, key)


def _nodes(node):
    yield node
    children = getattr(node, "children", None) or {}
    for child in children.values():
        yield from _nodes(child)


def markdown_strings(at: AppTest) -> list[tuple[str, str, str]]:
    """(element type, field, text) of every string the page renders as markdown."""
    found = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or node.type in {"plotly_chart", "arrow_data_frame", "dataframe"}:
            continue
        for field, text in _strings(MessageToDict(proto)):
            if field in MARKDOWN_FIELDS or (field == "options" and node.type == "radio"):
                found.append((node.type, field, text))
    return found


def offenders(at: AppTest) -> list[tuple[str, str, str]]:
    assert not at.exception, at.exception
    return [item for item in markdown_strings(at) if MARKUP.search(item[2])]


def test_the_check_finds_unescaped_markup():
    from fairdash import markdown_text

    assert MARKUP.search(f"Column {COLUMN}") and MARKUP.search(SEX[0])
    assert MARKUP.search(SEX[1]) and MARKUP.search(f"{RACE[0]} x")
    for value in [COLUMN, AGE, *SEX, RACE[0], FILE_NAME, MODEL]:
        assert not MARKUP.search(markdown_text(value)), value


@pytest.fixture(scope="module")
def hostile_session():
    """A session after uploading the hostile file and training on it (every page visited)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/data_model.py").run()
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value((FILE_NAME, hostile_csv(), "text/csv")).run()
    at.selectbox(key="w:data.target").set_value("y").run()
    at.multiselect(key="w:data.sensitive").set_value([COLUMN, "race", AGE]).run()
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_data_model_shows_hostile_names_as_text(hostile_session):
    at = hostile_session
    texts = [text for _, _, text in markdown_strings(at)]
    # The names are on the page, escaped: the file name, the bins label, the read note.
    assert any("f\\]\\(http" in t for t in texts), texts
    assert any(t.startswith("Quantile bins for") and "age" in t for t in texts)
    assert any("renamed" in t.lower() or "repeated" in t.lower() for t in texts), texts
    assert offenders(at) == []


@pytest.mark.parametrize("name", PAGES)
def test_every_page_after_training_on_hostile_data(hostile_session, name):
    at = hostile_session
    at.switch_page(f"pages/{name}.py").run()
    assert offenders(at) == []


def test_every_page_with_a_hostile_model_name_and_thresholds(hostile_session):
    at = hostile_session
    state = at.session_state
    models = [dataclasses.replace(m, name=MODEL) for m in state["models"]]
    state["models"], state["current_model"] = models, MODEL
    state["w:whatif.mode"] = "One threshold per group"
    for name in PAGES:
        at.switch_page(f"pages/{name}.py").run()
        assert offenders(at) == [], name
    at.switch_page("pages/whatif.py").run()
    labels = [s.label for s in at.slider if s.key.startswith("w:whatif.group.")]
    assert labels and all("\\<a" in label or "\\<span" in label for label in labels), labels
    at.button(key="a:whatif.add").click().run()
    assert offenders(at) == []


def test_a_restored_configuration_shows_its_names_as_text(hostile_session):
    """A configuration made for the hostile upload; then one carrying a model label, which
    the configuration schema refuses (the app names its models itself)."""
    at = hostile_session
    at.switch_page("pages/report.py").run()
    state = at.session_state
    config = {
        "fairdash_config": 1,
        "data": {"name": FILE_NAME, "sha256": state["upload"].digest, "bundled": False},
        "problem": state["evaluation"].problem.to_dict(),
        "settings": {"workflow": "mitigate", "estimator": "logistic_regression",
                     "test_size": 0.3, "calibration_size": 0.2, "random_state": 1,
                     "methods": [{"method": "unmitigated", "params": {}}]},
        "current_model": MODEL,
        "thresholds": {f"{SEX[0]} × {RACE[0]}": 0.4},
    }
    labelled = json.loads(json.dumps(config))
    labelled["settings"]["methods"][0]["label"] = MODEL
    for raw, restored in [(config, True), (labelled, False)]:
        at.file_uploader(key="a:report.config_upload").set_value(
            ("config.json", json.dumps(raw).encode(), "application/json")).run()
        at.button(key="a:report.restore").click().run()
        if restored:
            assert at.success and not at.error, [e.value for e in at.error]
        else:
            assert "settings.methods[0].label" in shown_text(at.error[0].value)
        assert offenders(at) == []
        for name in PAGES:
            at.switch_page(f"pages/{name}.py").run()
            assert offenders(at) == [], name
        at.switch_page("pages/report.py").run()


def test_hostile_csv_is_read_with_every_name():
    frame = pd.read_csv(io.BytesIO(hostile_csv()))
    assert COLUMN in frame.columns and AGE in frame.columns
