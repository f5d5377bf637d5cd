"""Unicode NFC, and notes naming groups that only look alike."""

import unicodedata

import pandas as pd

import fairdash
from fairdash import sensitive_frame
from fairdash.groups import spelling_notes

NFC = unicodedata.normalize("NFC", "Zoë")
NFD = unicodedata.normalize("NFD", "Zoë")


def test_nfc_and_nfd_spellings_are_one_group_and_noted():
    assert NFC != NFD
    data = pd.DataFrame({"name": [NFC, NFD, "Ann", NFD]})
    frame = sensitive_frame(data, ["name"])
    assert list(frame["name"].cat.categories) == ["Ann", NFC]
    assert (frame["name"] == NFC).sum() == 3
    (note,) = spelling_notes(data, ["name"])
    assert "'name'" in note and "2 Unicode forms" in note


def test_cyrillic_look_alike_stays_a_group_and_the_note_names_both_spellings():
    cyrillic = "\u041cale"  # Cyrillic capital EM, then Latin "ale"
    data = pd.DataFrame({"sex": ["Male", cyrillic, "Female", "Male"]})
    frame = sensitive_frame(data, ["sex"])
    assert len(frame["sex"].cat.categories) == 3  # not merged: the user decides
    (note,) = spelling_notes(data, ["sex"])
    assert "'Male'" in note and repr(cyrillic) in note
    assert "Cyrillic Capital Letter Em U+041C" in note


def test_greek_look_alike_is_noted():
    greek = "\u039cale"  # Greek capital MU
    (note,) = spelling_notes(pd.DataFrame({"sex": ["Male", greek]}), ["sex"])
    assert "Greek Capital Letter Mu U+039C" in note


def test_case_and_surrounding_spaces_are_noted():
    data = pd.DataFrame({"sex": ["Male", "male", "Female", "Female "], "n": [1, 2, 3, 4]})
    notes = spelling_notes(data, ["sex", "n"])
    assert len(notes) == 2
    assert "'Male' and 'male'" in notes[1] or "'Male' and 'male'" in notes[0]
    assert any("'Female' and 'Female '" in n for n in notes)


def test_no_note_for_distinct_values():
    data = pd.DataFrame({"sex": ["Male", "Female", None], "age": [1.0, 2.0, 3.0]})
    assert spelling_notes(data, ["sex", "age"]) == []


def test_define_problem_returns_the_notes():
    data = pd.DataFrame(
        {"y": [0, 1] * 4, "sex": ["Male", "Male ", "Female", "Female"] * 2, "x": range(8)}
    )
    problem = fairdash.define_problem(data, target="y", sensitive_features=["sex"])
    assert any("'Male' and 'Male '" in note for note in problem.notes)


def test_the_cli_audit_reports_the_notes_and_keeps_the_groups_apart():
    from fairdash.cli import audit

    cyrillic = "\u041cale"
    data = pd.DataFrame(
        {
            "y": [0, 1] * 6,
            "pred": [1, 1, 0, 1, 0, 0] * 2,
            "sex": ["Male", cyrillic, "Female"] * 4,
        }
    )
    result = audit(data, target="y", prediction="pred", sensitive_features=["sex"])
    assert any(repr(cyrillic) in note and "'Male'" in note for note in result.notes)
    labels = [group["label"] for group in result.groups()]
    assert len(labels) == 3 and len(set(labels)) == 3
