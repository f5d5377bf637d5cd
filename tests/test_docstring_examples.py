"""Every Examples section in the library's docstrings runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import fairdash

# PySpark is an optional extra; its module only imports it when used.
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(fairdash.__path__, prefix="fairdash.")
    if not info.name.startswith("fairdash.__main__")
)


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module) if test.examples]


def test_the_public_api_has_examples():
    with_examples = {test.name.rsplit(".", 1)[0] for test in EXAMPLES}
    with_examples |= {".".join(test.name.split(".")[:3]) for test in EXAMPLES}
    # The entry points a newcomer starts from each show one.
    for expected in ("fairdash.io._read", "fairdash.tradeoff._runner", "fairdash.engines._engines"):
        assert expected in with_examples


EXAMPLES = [test for name in MODULES for test in _examples(name)]


@pytest.mark.parametrize("test", EXAMPLES, ids=[test.name for test in EXAMPLES])
def test_docstring_examples_run(test, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write here
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} example(s) failed"
