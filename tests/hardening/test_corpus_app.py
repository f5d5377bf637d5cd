"""Corpus items through the page (AppTest): a message naming the problem, never a traceback,
and the page still works afterwards with a good file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import shown_text
from tests.hardening.conftest import CASES, case_params
from tests.hardening.corpus import good_upload

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "data_model.py")

# AppTest runs take seconds each: a representative subset, at least one per kind of
# problem and step (reading, problem definition, training, usable hostile input).
APP_SUBSET = {
    "empty_file",
    "binary_garbage",
    "ragged_rows",
    "duplicate_columns",
    "too_many_columns",
    "nested_parquet",
    "uncalculated_formula_xlsx",
    "pickle_named_csv",
    "single_row",
    "target_three_classes",
    "target_all_missing",
    "sensitive_all_missing",
    "sensitive_thousands_of_categories",
    "inf_and_nan_in_features",
    "inf_in_binned_sensitive",
    "formula_cells_csv",
    "excel_several_sheets",
    "html_in_names_and_values",
}
APP_CASES = [case for case in CASES if case.app and case.id in APP_SUBSET]
_MIME = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".parquet": "application/octet-stream",
}


def _upload(at: AppTest, name: str, content: bytes) -> None:
    mime = _MIME.get(Path(name).suffix, "application/octet-stream")
    at.file_uploader(key="a:data.upload").set_value((name, content, mime)).run()


def _messages(elements) -> str:
    return " | ".join(shown_text(e.value) for e in elements)


def _assert_named(case, elements) -> None:
    text = _messages(elements)
    assert text, "no message shown"
    words = case.words if case.app_words is None else case.app_words
    for word in words:
        assert word.casefold() in text.casefold(), (word, text)
    if case.column is not None:
        assert case.column in text, text


def _define(at: AppTest, target: str, sensitive: list[str]) -> None:
    at.selectbox(key="w:data.target").set_value(target).run()
    assert not at.exception, at.exception
    at.multiselect(key="w:data.sensitive").set_value(sensitive).run()


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    # Start on "Upload a file" (as after choosing it), without loading the bundled data first.
    at.session_state["w:data.source"] = "Upload a file"
    at.run()
    assert not at.exception and at.radio(key="w:data.source").value == "Upload a file"
    return at


def test_subset_is_representative():
    steps = {case.app for case in APP_CASES}
    assert len(APP_CASES) >= 15 and steps == {"upload", "problem", "warning", "train", "ok"}


@pytest.mark.parametrize("case", case_params(APP_CASES, xfail="xfail_app"))
def test_page_answers_corpus_item_and_stays_usable(case, page):
    at = page
    _upload(at, case.filename, case.content)
    assert not at.exception, at.exception
    if case.app == "upload":
        _assert_named(case, at.error)
        assert at.session_state["data"] is None or at.session_state["data_name"] != case.filename
    else:
        assert not at.error, _messages(at.error)
        _define(at, case.target, list(case.sensitive))
        assert not at.exception, at.exception
        if case.app == "problem":
            _assert_named(case, at.error)
        elif case.app == "warning":
            _assert_named(case, at.warning)
        else:
            assert not at.error, _messages(at.error)
            at.button(key="a:data.train").click().run()
            assert not at.exception, at.exception
            if case.app == "train":
                _assert_named(case, at.error)
                assert at.session_state["run"] is None
            else:
                assert not at.error, _messages(at.error)
                metrics = at.session_state["metrics"]
                values = {str(v) for key in metrics.by_group.index for v in (
                    key if isinstance(key, tuple) else (key,))}
                assert set(case.keep) <= values
                # the data the page holds are the file's, unaltered
                assert at.session_state["data_name"] == case.filename

    # Afterwards a good file works as usual.
    name, content, _ = good_upload()
    _upload(at, name, content)
    assert not at.exception and not at.error, _messages(at.error)
    _define(at, "y", ["sex"])
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, _messages(at.error)
    assert at.session_state["data_name"] == name
    assert list(at.session_state["metrics"].by_group.index) == ["female", "male"]


def test_an_unexpected_training_failure_is_a_message_not_a_traceback(page, monkeypatch):
    import fairdash

    def broken(*args, **kwargs):
        raise RuntimeError("the estimator broke")

    monkeypatch.setattr(fairdash, "train_model", broken)
    name, content, _ = good_upload()
    _upload(page, name, content)
    _define(page, "y", ["sex"])
    page.button(key="a:data.train").click().run()
    assert not page.exception, page.exception
    assert "Training failed (RuntimeError: the estimator broke)" in _messages(page.error)
