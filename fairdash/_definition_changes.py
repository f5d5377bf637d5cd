"""What changed between the problem definition results were computed for and the current one.

A page that only says "stale" leaves the user guessing what to undo; these
sentences name the change ("the sensitive features changed from sex to
sex × race").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fairdash.groups._labels import GROUP_SEPARATOR

__all__ = ["DefinitionBasis", "definition_changes"]

_SHOWN = 5


@dataclass(frozen=True)
class DefinitionBasis:
    """What a set of results depends on: the data, the problem definition, merged categories.

    Attributes
    ----------
    data_name : str or None
        The bundled data set's name or the uploaded file's name.
    data_digest : str or None
        The uploaded file's digest (None for bundled data).
    problem : fairdash.Problem or None
        The problem definition; None when it is incomplete.
    merged : dict of str to list
        Rare categories merged into "Other" before training, by column.
    """

    data_name: str | None
    data_digest: str | None
    problem: Any
    merged: Mapping[str, Sequence[Any]] = field(default_factory=dict)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _names(values: Sequence[Any], separator: str = ", ") -> str:
    values = [str(v) for v in values]
    shown = separator.join(values[:_SHOWN])
    return shown + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")


def _data_change(before: DefinitionBasis, after: DefinitionBasis) -> str | None:
    if before.data_name != after.data_name:
        return f"the data changed from {before.data_name} to {after.data_name}"
    if before.data_digest != after.data_digest:
        return f"the data changed (another file named {after.data_name} was uploaded)"
    return None


def _problem_changes(before: dict, after: dict) -> list[str]:
    out = []
    for key, words in (("target", "the target"), ("task", "the task")):
        if not _same(before[key], after[key]):
            out.append(f"{words} changed from {before[key]} to {after[key]}")
    if not _same(before["positive_label"], after["positive_label"]):
        out.append(
            f"the favourable outcome changed from {before['positive_label']} to "
            f"{after['positive_label']}"
        )
    if before["sensitive_features"] != after["sensitive_features"]:
        out.append(
            "the sensitive features changed from "
            f"{_names(before['sensitive_features'], GROUP_SEPARATOR) or 'none'} to "
            f"{_names(after['sensitive_features'], GROUP_SEPARATOR) or 'none'}"
        )
    changed_bins = sorted(
        name for name in set(before["bins"]) | set(after["bins"])
        if not _same(before["bins"].get(name), after["bins"].get(name))
    )
    if changed_bins:
        out.append(f"the bins of {_names(changed_bins)} changed")
    old, new = before["feature_columns"], after["feature_columns"]
    added = [c for c in new if c not in old]
    removed = [c for c in old if c not in new]
    if added or removed:
        parts = ([f"added {_names(added)}"] if added else []) + (
            [f"removed {_names(removed)}"] if removed else []
        )
        out.append(f"the model inputs changed ({'; '.join(parts)})")
    return out


def definition_changes(before: DefinitionBasis, after: DefinitionBasis) -> list[str]:
    """What differs between two problem definitions, one sentence fragment per change.

    Parameters
    ----------
    before : DefinitionBasis
        What the results were computed for.
    after : DefinitionBasis
        What is defined now.

    Returns
    -------
    list of str
        Empty when nothing that results depend on differs. Fragments such as
        ``"the target changed from income to hours_per_week"``, ``"the
        sensitive features changed from sex to sex × race"``, ``"the data
        changed from adult to compas.csv"``, ``"the model inputs changed (added
        age; removed name)"``. The reasons columns were excluded for are not
        compared (they explain a choice; the inputs are the choice).

    Examples
    --------
    >>> import pandas as pd
    >>> from fairdash import define_problem
    >>> data = pd.DataFrame({"y": [0, 1] * 4, "sex": ["F", "M"] * 4, "race": list("abab") * 2,
    ...                      "x": range(8)})
    >>> first = define_problem(data, target="y", positive_label=1, sensitive_features=["sex"])
    >>> second = define_problem(data, target="y", positive_label=1,
    ...                         sensitive_features=["sex", "race"])
    >>> for change in definition_changes(DefinitionBasis("d.csv", "1", first),
    ...                                  DefinitionBasis("d.csv", "1", second)):
    ...     print(change)
    the sensitive features changed from sex to sex × race
    the model inputs changed (removed race)
    """
    out = []
    data = _data_change(before, after)
    if data:
        out.append(data)
    if before.problem is not None and after.problem is None:
        out.append("the problem definition is incomplete (choose a target and sensitive features)")
    elif before.problem is None and after.problem is not None:
        out.append("a problem definition was set")
    elif before.problem is not None:
        out += _problem_changes(before.problem.to_dict(), after.problem.to_dict())
    if not _same(dict(before.merged or {}), dict(after.merged or {})):
        columns = sorted(set(before.merged or {}) | set(after.merged or {}))
        out.append(f"the rare categories merged into 'Other' changed ({_names(columns)})")
    return out
