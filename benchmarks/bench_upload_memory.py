"""Benchmark: the Streamlit server's memory per MB uploaded through the browser.

Run on demand (never part of the tests)::

    python benchmarks/bench_upload_memory.py            # 80 MB CSV; writes results/upload_memory.*
    python benchmarks/bench_upload_memory.py --quick    # 20 MB

The real server (``streamlit run app.py`` on a loopback port) and Debian's
chromium through Playwright. A CSV of Adult's rows repeated to the size is
uploaded on the Data & model page; the server's resident memory (VmRSS of its
process) is read before the upload (after a 64 kB warm-up upload, so that imports
and first-use caches are not counted as the data's), once the page has finished with it, after
a second file of the same size replaces it, and after the browser closes (the
server is started with ``server.disconnectedSessionTTL`` of a few seconds so
that Streamlit's cleanup of a closed session comes within the run; its default
is 120 s; Streamlit reaps an expired session when another session disconnects,
so two more browser contexts visit the app after the TTL). Growth is given per MB of file:
the target is under 3x, and the memory should come back when the data is
replaced or the session ends.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import _common

THREADS = _common.limit_threads(2)

from bench_io import write_csv  # noqa: E402 (after the thread limit, as every benchmark)

CHROMIUM = "/usr/bin/chromium"
IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]')
SESSION_TTL_S = 5
MB = 1024 * 1024


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def _settled_rss(pid: int, *, seconds: float = 3.0) -> int:
    """RSS once it stops moving (garbage collection and freeing take a moment)."""
    time.sleep(seconds)
    return _rss(pid)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--server.disconnectedSessionTTL", str(SESSION_TTL_S)],
        cwd=_common.ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "OMP_NUM_THREADS": THREADS},
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("Streamlit did not start")


def _idle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=600_000)


def _upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    # The page's line "<name>: <n> rows, <m> columns" says this file has been read.
    read = re.compile(re.escape(path.name) + r"\u2060?: [\d,]+ rows")
    page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=read).first.wait_for(
        timeout=600_000)
    _idle(page)


def measure(size_mb: int, workdir: Path) -> dict:
    first, second = workdir / "upload_a.csv", workdir / "upload_b.csv"
    warm = workdir / "warm_up.csv"
    write_csv(warm, 64 * 1024)
    rows = write_csv(first, size_mb * MB)
    write_csv(second, size_mb * MB)
    with second.open("r+b") as f:  # another file (another digest), the same shape
        f.seek(-2, os.SEEK_END)
        f.write(b"0\n")
    file_mb = first.stat().st_size / MB
    from playwright.sync_api import sync_playwright

    port = _free_port()
    with open(workdir / "streamlit.log", "w") as log:
        server = _start_server(port, log)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
                context = browser.new_context(viewport={"width": 1400, "height": 1600})
                page = context.new_page()
                page.set_default_timeout(600_000)
                page.goto(f"http://127.0.0.1:{port}")
                _idle(page)
                page.locator('[data-testid="stSidebarNavLink"]').filter(
                    has_text="Data & model").first.click()
                _idle(page)
                page.get_by_text("Upload a file").click()
                _idle(page)
                _upload(page, warm)  # imports and first-use caches are not the data's
                before = _settled_rss(server.pid)
                started = time.perf_counter()
                _upload(page, first)
                upload_s = time.perf_counter() - started
                after = _settled_rss(server.pid)
                _upload(page, second)
                replaced = _settled_rss(server.pid)
                context.close()
                # Streamlit reaps a closed session once its TTL has passed, when the session
                # store is next written: when another session disconnects. The next session
                # to start then returns the freed memory (fairdash_app.memory).
                time.sleep(SESSION_TTL_S + 1)
                for _ in range(2):
                    visitor = browser.new_context()
                    visitor.new_page().goto(f"http://127.0.0.1:{port}")
                    visitor.pages[0].wait_for_selector(IDLE, timeout=600_000)
                    visitor.close()
                    time.sleep(1)
                closed = _settled_rss(server.pid)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    def per_mb(rss: int) -> float:
        return round((rss - before) / MB / file_mb, 2)

    return {
        "file_mb": round(file_mb, 1), "rows": rows, "upload_s": round(upload_s, 1),
        "rss_before_mb": round(before / MB), "rss_after_upload_mb": round(after / MB),
        "rss_after_replace_mb": round(replaced / MB), "rss_after_close_mb": round(closed / MB),
        "growth_per_mb": per_mb(after), "after_replace_per_mb": per_mb(replaced),
        "after_close_per_mb": per_mb(closed),
    }


def main() -> None:
    parser = _common.make_parser(__doc__.splitlines()[0], quick="a 20 MB CSV")
    args = parser.parse_args()
    run = _common.start_run(quick=args.quick)
    size = 20 if args.quick else 80
    with tempfile.TemporaryDirectory(prefix="fairdash-upload-") as tmp:
        result = measure(size, Path(tmp))
    run = _common.finish_run(run)
    lines = [
        "# Server memory per MB uploaded through the browser",
        "",
        _common.machine_line(run["machine"]),
        _common.load_line(run),
        "",
        f"A {result['file_mb']} MB CSV ({result['rows']:,} rows of Adult) uploaded on Data & "
        f"model through chromium; the server's RSS (MB) and its growth over the RSS before "
        "the upload, per MB of file (target: under 3x).",
        "",
        "| moment | RSS (MB) | growth per MB of file |",
        "|---|---:|---:|",
        f"| before the upload | {result['rss_before_mb']} | |",
        f"| after the upload ({result['upload_s']} s) | {result['rss_after_upload_mb']} | "
        f"{result['growth_per_mb']}x |",
        f"| after another file replaced it | {result['rss_after_replace_mb']} | "
        f"{result['after_replace_per_mb']}x |",
        f"| after the browser closed, the TTL ({SESSION_TTL_S} s) and two more visitors | "
        f"{result['rss_after_close_mb']} | {result['after_close_per_mb']}x |",
    ]
    _common.write_results("upload_memory", lines, {**run, "result": result},
                          out_dir=_common.output_dir(args))


if __name__ == "__main__":
    main()
