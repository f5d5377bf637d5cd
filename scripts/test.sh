#!/usr/bin/env bash
# Installs everything the tests need (Debian's chromium and a Java runtime included) and runs
# ruff and pytest. Where packages cannot be installed (no root, sudo or apt-get) the core tests
# still run; the tests that need a missing package skip (the browser tests fail under CI=true).
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_debian.sh

# The browser for the browser tests (Playwright cannot download one here), libatomic1 for
# Playwright's driver, Java 17 for PySpark, and venv support for Debian's python3.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-liberation)
has_library libatomic.so.1 || need+=(libatomic1)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
if [ ! -x .venv/bin/python ] && ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  need+=(python3-venv)
fi
if ! install_debian_packages "${need[@]}"; then
  echo "warning: continuing without them: the tests that need them skip" \
    "(browser tests fail under CI=true)" >&2
fi

if [ ! -x .venv/bin/python ] && ! python3 -m venv .venv; then
  echo "error: cannot create .venv: install python3-venv (apt-get install python3-venv)" >&2
  exit 1
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt

# Threaded numeric libraries on a shared 2-core machine: keep them predictable.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
.venv/bin/python -m ruff check .
.venv/bin/python -m pytest "$@"
