#!/usr/bin/env bash
# Installs the app's dependencies in .venv and starts FairDash (bundled UCI Adult data preselected).
# Usage: bash scripts/app.sh [streamlit args, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_debian.sh

if [ ! -x .venv/bin/python ]; then
  python3 -c "import ensurepip, venv" 2>/dev/null || install_debian_packages python3-venv || true
  python3 -m venv .venv || {
    echo "error: cannot create .venv: install python3-venv (apt-get install python3-venv)" >&2
    exit 1
  }
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt

port=8501
previous=""
for arg in "$@"; do
  case "$arg" in
    --server.port=*) port="${arg#*=}" ;;
    *) [ "$previous" = "--server.port" ] && port="$arg" ;;
  esac
  previous="$arg"
done
echo "FairDash: open http://localhost:$port in a browser (Ctrl+C stops the app)." >&2
# kaleido draws PNG/SVG exports of charts with a Chrome or Chromium of the machine's own.
if [ -z "${BROWSER_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 &&
  ! command -v google-chrome >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "note: PNG/SVG export of charts needs a Chromium: apt-get install chromium" \
    "(or set BROWSER_PATH to a Chrome). Everything else works without it." >&2
fi
exec .venv/bin/python -m streamlit run app.py "$@"
