"""scripts/test.sh and scripts/app.sh on machines that cannot install Debian packages.

Each case runs the real scripts in a throwaway copy of ``scripts/``, with a PATH
of stand-in commands: ``id`` says who we are, ``apt-get`` and ``sudo`` exist or
not, and ``.venv/bin/python`` records what it was asked to run instead of
installing or testing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash")

# A stand-in command: appends its name and arguments to $CALLS, exits with $<NAME>_EXIT (or 0).
STUB = """#!{bash}
echo "$(basename "$0") $*" >> "$CALLS"
code_var="$(basename "$0" | tr a-z.- A-Z__)_EXIT"
exit "${{!code_var:-0}}"
"""

# The venv's python: records the call; pytest exits with $PYTEST_EXIT.
PYTHON = f"""#!{BASH}
echo "python $*" >> "$CALLS"
[ "$2" = pytest ] && exit "${{PYTEST_EXIT:-0}}"
exit 0
"""


def _stub(folder: Path, name: str, body: str | None = None) -> None:
    path = folder / name
    path.write_text(body or STUB.format(bash=BASH))
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path) -> dict:
    """A checkout copy with a stand-in .venv, and a bin folder holding only basic tools."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "scripts", checkout / "scripts")
    for name in ("requirements.txt", "requirements-test.txt"):
        (checkout / name).write_text("")
    (checkout / ".venv" / "bin").mkdir(parents=True)
    _stub(checkout / ".venv" / "bin", "python", PYTHON)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "basename", "tr", "grep", "env", "cat"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    _stub(bin_dir, "id", f"#!{BASH}\necho ${{FAKE_UID:-1000}}\n")
    calls = tmp_path / "calls.log"
    calls.touch()
    env = {"PATH": str(bin_dir), "CALLS": str(calls), "HOME": str(tmp_path)}
    return {"checkout": checkout, "bin": bin_dir, "calls": calls, "env": env}


def _run(machine: dict, script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BASH, f"scripts/{script}", *args],
        cwd=machine["checkout"],
        env={**machine["env"], **env},
        stdin=subprocess.DEVNULL,  # not a terminal: sudo could not ask for a password
        capture_output=True,
        text=True,
        timeout=60,
    )


def _calls(machine: dict) -> list[str]:
    return machine["calls"].read_text().splitlines()


def _debian(machine: dict, code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in bash after sourcing scripts/_debian.sh."""
    return subprocess.run(
        [BASH, "-c", f"source scripts/_debian.sh; {code}"],
        cwd=machine["checkout"],
        env={**machine["env"], **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


# ------------------------------------------------------------------ the decision


def test_root_with_apt_get_installs_directly(machine):
    _stub(machine["bin"], "apt-get")
    result = _debian(machine, "install_debian_packages chromium libatomic1", FAKE_UID="0")
    assert result.returncode == 0, result.stderr
    calls = _calls(machine)
    assert calls[0] == "apt-get update -q"
    assert calls[1].startswith("apt-get install -y -q --no-install-recommends chromium libatomic1")


def test_password_less_sudo_is_used(machine):
    _stub(machine["bin"], "apt-get")
    sudo = f'#!{BASH}\necho "sudo $*" >> "$CALLS"\n[ "$1" = -n ] && shift\n"$@"\n'
    _stub(machine["bin"], "sudo", sudo)
    result = _debian(machine, "install_debian_packages chromium")
    assert result.returncode == 0, result.stderr
    assert "sudo -n true" in _calls(machine)  # asked without a password prompt
    assert "sudo apt-get update -q" in _calls(machine)
    assert any(call.startswith("apt-get install") for call in _calls(machine))


@pytest.mark.parametrize(
    "setup",
    ["no sudo", "sudo wants a password", "no apt-get"],
)
def test_cannot_install_warns_and_calls_nothing(machine, setup):
    if setup != "no apt-get":
        _stub(machine["bin"], "apt-get")
    if setup == "sudo wants a password":
        _stub(machine["bin"], "sudo", f'#!{BASH}\necho "sudo $*" >> "$CALLS"\nexit 1\n')
    result = _debian(machine, "install_debian_packages chromium", FAKE_UID="0" if
                     setup == "no apt-get" else "1000")
    assert result.returncode == 1
    assert "warning: cannot install chromium" in result.stderr
    assert not [call for call in _calls(machine) if call.startswith("apt-get")]


def test_failing_apt_get_warns(machine):
    _stub(machine["bin"], "apt-get")
    result = _debian(
        machine, "install_debian_packages chromium", FAKE_UID="0", APT_GET_EXIT="100"
    )
    assert result.returncode == 1
    assert "warning: apt-get could not install chromium" in result.stderr


def test_nothing_to_install_calls_nothing(machine):
    _stub(machine["bin"], "apt-get")
    result = _debian(machine, "install_debian_packages", FAKE_UID="0")
    assert result.returncode == 0
    assert _calls(machine) == []


# ---------------------------------------------------------------- the whole script


def test_test_script_runs_the_tests_where_nothing_can_be_installed(machine):
    """No root, no sudo, no apt-get, no java: lint and pytest still run, with a warning."""
    result = _run(machine, "test.sh", "tests/metrics", "-q")
    assert result.returncode == 0, result.stderr
    assert "openjdk-17-jre-headless" in result.stderr  # java is not on this PATH
    assert "warning: cannot install" in result.stderr
    assert "skip (browser tests fail under CI=true)" in result.stderr
    assert _calls(machine) == [
        "python -m pip install -q --disable-pip-version-check -r requirements-test.txt",
        "python -m ruff check .",
        "python -m pytest tests/metrics -q",
    ]


def test_test_script_under_ci_still_runs_pytest_and_passes_its_failure_on(machine):
    """Under CI the browser tests fail by themselves (tests/browser/conftest.py); the
    script must run them and return pytest's exit code."""
    result = _run(machine, "test.sh", "-q", CI="true", PYTEST_EXIT="1")
    assert result.returncode == 1
    assert _calls(machine)[-1] == "python -m pytest -q"


def test_test_script_installs_what_is_missing_as_root(machine):
    _stub(machine["bin"], "apt-get")
    result = _run(machine, "test.sh", "-q", FAKE_UID="0")
    assert result.returncode == 0, result.stderr
    install = next(call for call in _calls(machine) if call.startswith("apt-get install"))
    assert "openjdk-17-jre-headless" in install.split()
    assert _calls(machine)[-1] == "python -m pytest -q"


def test_test_script_without_venv_support_says_what_to_install(machine):
    shutil.rmtree(machine["checkout"] / ".venv")
    _stub(machine["bin"], "python3", f"#!{BASH}\nexit 1\n")  # no ensurepip, no venv
    result = _run(machine, "test.sh")
    assert result.returncode == 1
    assert "python3-venv" in result.stderr
    assert "pytest" not in machine["calls"].read_text()


# ---------------------------------------------------------------------- the app


def test_app_script_says_where_the_app_is_and_what_png_export_needs(machine):
    result = _run(machine, "app.sh", "--server.port", "8502")
    assert result.returncode == 0, result.stderr
    assert "http://localhost:8502" in result.stderr
    assert "apt-get install chromium" in result.stderr  # no chromium on this PATH
    assert _calls(machine)[-1] == "python -m streamlit run app.py --server.port 8502"


def test_app_script_default_port_and_no_note_with_a_browser(machine):
    _stub(machine["bin"], "chromium")
    result = _run(machine, "app.sh")
    assert "http://localhost:8501" in result.stderr
    assert "chromium" not in result.stderr.lower()


def test_streamlit_config_never_prompts():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["headless"] is True
