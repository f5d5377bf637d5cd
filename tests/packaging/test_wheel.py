"""The wheel that ``pip install .`` builds: metadata, dependencies, data files, the command.

The wheel is built from a copy of the sources (so the checkout gets no ``build/``
folder), without build isolation when this environment already has what
``[build-system]`` asks for (requirements-test.txt pins it), otherwise in pip's
isolated build environment.
"""

from __future__ import annotations

import ast
import configparser
import email.parser
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import fairdash
import fairdash.__main__
import fairdash.cli
from fairdash.datasets._catalog import CATALOG

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DATA_DIR = ROOT / "fairdash" / "datasets" / "data"


def _build_requirements_met() -> bool:
    for line in PYPROJECT["build-system"]["requires"]:
        requirement = Requirement(line)
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(version, prereleases=True):
            return False
    return True


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "fairdash", source / "fairdash", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("dist")
    argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)]
    if _build_requirements_met():
        argv.append("--no-build-isolation")
    result = _run(argv)
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("fairdash-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def dist_info(wheel) -> dict[str, str]:
    """The text files of the wheel's ``.dist-info`` folder, by file name."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            Path(name).name: archive.read(name).decode()
            for name in archive.namelist()
            if Path(name).parent.name.endswith(".dist-info")
        }


@pytest.fixture(scope="module")
def metadata(dist_info):
    return email.parser.Parser().parsestr(dist_info["METADATA"])


@pytest.fixture(scope="module")
def requires(metadata) -> dict[str | None, dict[str, Requirement]]:
    """Requires-Dist by extra (``None``: always installed), then by canonical name."""
    by_extra: dict[str | None, dict[str, Requirement]] = {}
    for line in metadata.get_all("Requires-Dist"):
        requirement = Requirement(line)
        extra = next(
            (e for e in metadata.get_all("Provides-Extra") if requirement.marker
             and requirement.marker.evaluate({"extra": e})),
            None,
        )
        by_extra.setdefault(extra, {})[canonicalize_name(requirement.name)] = requirement
    return by_extra


def _pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file (``-r`` includes are not followed)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_name_version_python(metadata):
    assert metadata["Name"] == "fairdash"
    assert metadata["Version"] == fairdash.__version__
    assert metadata["Requires-Python"] == PYPROJECT["project"]["requires-python"]
    assert metadata["License-Expression"] == "MIT"


def test_dependencies_are_ranges_that_admit_the_tested_pins(requires):
    """Every pin of requirements*.txt that is a dependency (or an extra's) is inside its range."""
    pins = _pins(ROOT / "requirements.txt") | _pins(ROOT / "requirements-test.txt")
    declared = {name: req for group in requires.values() for name, req in group.items()}
    runtime = _pins(ROOT / "requirements.txt")
    # The app's and the library's pins are all declared; test tools are not.
    assert set(runtime) <= set(declared), set(runtime) - set(declared)
    for name, requirement in declared.items():
        assert name in pins, f"{name} is a dependency but pinned in no requirements file"
        assert requirement.specifier.contains(pins[name]), (requirement, pins[name])
        assert not any(spec.operator == "==" for spec in requirement.specifier), requirement


def test_duckdb_always_installed_pyspark_and_streamlit_extras(requires):
    assert "duckdb" in requires[None]
    assert set(requires["spark"]) == {"pyspark"}
    assert {"streamlit", "kaleido"} <= set(requires["app"])
    assert "pyspark" not in requires[None] and "streamlit" not in requires[None]


def _third_party_imports(package: Path) -> set[str]:
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"fairdash", "__future__"}


def test_every_import_of_the_package_is_a_declared_dependency(requires):
    """A module that fairdash imports (even lazily) comes from a dependency or an extra."""
    providers = importlib.metadata.packages_distributions()
    declared = {name for group in requires.values() for name in group}
    for module in sorted(_third_party_imports(ROOT / "fairdash")):
        assert module in providers, f"fairdash imports {module}, which is not installed here"
        dists = {canonicalize_name(dist) for dist in providers[module]}
        assert dists & declared, f"fairdash imports {module} ({dists}): not in pyproject"


def test_console_command_is_the_module_entry_point(dist_info):
    entry_points = configparser.ConfigParser()
    entry_points.read_string(dist_info["entry_points.txt"])
    assert dict(entry_points["console_scripts"]) == {"fairdash": "fairdash.cli:main"}
    # python -m fairdash runs fairdash/__main__.py, which calls the same function.
    assert fairdash.__main__.main is fairdash.cli.main


def test_data_files_and_every_module_are_inside(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for path in DATA_DIR.iterdir():
            inside = f"fairdash/datasets/data/{path.name}"
            assert inside in names, inside
            assert archive.read(inside) == path.read_bytes(), inside
    assert {f"fairdash/datasets/data/{spec.filename}" for spec in CATALOG.values()} <= names
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "fairdash").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert modules <= names, modules - names
    assert not [name for name in names if name.startswith(("tests/", "pages/", "benchmarks/"))]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed (without dependencies: they are this environment's) into a folder."""
    target = tmp_path_factory.mktemp("site")
    result = _run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)]
    )
    assert result.returncode == 0, result.stderr
    return target


def test_installed_command_works_from_any_directory(installed, tmp_path):
    """``fairdash`` from an unrelated folder uses the installed package and its data."""
    env = {**os.environ, "PYTHONPATH": str(installed), "SOURCE_DATE_EPOCH": "0"}
    where = _run(
        [sys.executable, "-c", "import fairdash; print(fairdash.__file__)"], cwd=tmp_path, env=env
    )
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout + where.stderr

    rng = np.random.default_rng(0)
    n = 301  # with a group of one person
    table = pd.DataFrame(
        {
            "id": np.arange(n),
            "approved": rng.choice(["yes", "no"], n),
            "pred": rng.choice(["yes", "no"], n),
            "sex": ["x", *rng.choice(["Female", "Male"], n - 1)],
        }
    )
    table.to_csv(tmp_path / "preds.csv", index=False)
    argv = ["audit", "preds.csv", "--target", "approved", "--positive-label", "yes",
            "--prediction", "pred", "--sensitive", "sex", "--json", "-"]
    command = _run([str(installed / "bin" / "fairdash"), *argv], cwd=tmp_path, env=env)
    assert command.returncode == 0, command.stderr
    module = _run(
        [sys.executable, "-m", "fairdash", *argv],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert module.returncode == 0, module.stderr
    assert command.stdout == module.stdout
    audit = json.loads(command.stdout)
    assert audit["data"]["rows_audited"] == n
    accuracy = (table["approved"] == table["pred"]).mean()
    assert audit["overall"]["metrics"]["accuracy"] == pytest.approx(accuracy, abs=1e-12)

    datasets = _run([str(installed / "bin" / "fairdash"), "datasets"], cwd=tmp_path, env=env)
    assert datasets.returncode == 0, datasets.stderr
    assert all(name in datasets.stdout for name in CATALOG)
    german = _run(
        [sys.executable, "-c",
         "from fairdash import datasets; print(len(datasets.load('german')))"],
        cwd=tmp_path,
        env=env,
    )
    assert german.stdout.strip() == str(CATALOG["german"].rows), german.stderr
