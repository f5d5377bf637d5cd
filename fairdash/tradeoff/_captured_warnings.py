"""What scikit-learn and fairlearn warn about while a method runs, as notes for the user.

Upstream libraries say important things (a grid too coarse for its dimensions,
a solver that did not converge) as Python warnings or, for fairlearn, as
``logging`` warnings, which otherwise reach only the server log. Developer
warnings (deprecations, future changes) are not the user's business: they are
issued again, unchanged, after the method has run.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["capture_warnings"]

# Longest warning text kept in a note (solver warnings append long advice).
_MAX_CHARS = 300
_DEVELOPER_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
_SOURCES = {"sklearn": "scikit-learn", "fairlearn": "fairlearn", "scipy": "SciPy"}


def _source(module: str) -> str:
    top = module.split(".", 1)[0]
    return _SOURCES.get(top, top)


def _text(message: str) -> str:
    text = re.sub(r"\s+", " ", str(message)).strip()
    return text if len(text) <= _MAX_CHARS else text[: _MAX_CHARS - 1].rstrip() + "…"


class _ThreadHandler(logging.Handler):
    """Keeps the warning records logged by one thread."""

    def __init__(self, thread: int) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = thread
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.records.append(record)


class _Dispatcher:
    """Routes Python warnings to the collector of the thread that raised them.

    ``warnings.catch_warnings`` swaps process-wide state; two sessions mitigating at once
    would interleave its enter and exit, lose each other's warnings and leave a stale
    ``showwarning`` behind. One shared hook, installed while any thread collects and
    removed by the last one, keeps each thread's warnings apart.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._active = 0
        self._filters: list = []
        self._fallback = warnings.showwarning

    def _show(self, message, category, filename, lineno, file=None, line=None) -> None:
        collector = getattr(self._local, "collector", None)
        if collector is None:
            # Another thread's warning: where it would have gone without us.
            self._fallback(message, category, filename, lineno, file, line)
            return
        collector.append(warnings.WarningMessage(message, category, filename, lineno, file, line))

    @contextmanager
    def collect(self) -> Iterator[list[warnings.WarningMessage]]:
        caught: list[warnings.WarningMessage] = []
        with self._lock:
            if self._active == 0:
                self._filters, self._fallback = warnings.filters[:], warnings.showwarning
                # Every occurrence counts ("3 times"), not only a location's first.
                warnings.simplefilter("always")
                warnings.showwarning = self._show
            self._active += 1
        outer = getattr(self._local, "collector", None)
        self._local.collector = caught
        try:
            yield caught
        finally:
            self._local.collector = outer
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    # "always" recorded nothing in the modules' once-registries: no reset needed.
                    warnings.filters[:] = self._filters
                    warnings.showwarning = self._fallback


_DISPATCHER = _Dispatcher()


@contextmanager
def capture_warnings(name: str) -> Iterator[list[str]]:
    """Collect the warnings a method raises into notes naming the method.

    Python warnings raised by this thread, except developer ones, and the
    warnings fairlearn logs from this thread, each once with how often it
    came. The notes are added to the yielded list when the block ends (also
    when it raises). fairlearn's logged warnings still reach the log as before;
    other threads' warnings go where they would have gone (several sessions
    may run methods at once).

    Parameters
    ----------
    name : str
        The method's name in the run; every note starts with it.

    Yields
    ------
    list of str
        Empty inside the block, the notes after it.
    """
    notes: list[str] = []
    handler = _ThreadHandler(threading.get_ident())
    logger = logging.getLogger("fairlearn")
    logger.addHandler(handler)
    try:
        with _DISPATCHER.collect() as caught:
            yield notes
    finally:
        logger.removeHandler(handler)
        counts: dict[str, int] = {}
        for record in handler.records:
            key = f"{_source(record.name)} warned: {_text(record.getMessage())}"
            counts[key] = counts.get(key, 0) + 1
        for warning in caught:
            if issubclass(warning.category, _DEVELOPER_WARNINGS):
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
                continue
            source = _source(warning.category.__module__)
            if source == "builtins":  # a standard category: the library is where it was raised
                source = _library_of(warning.filename)
            who = "a warning" if source is None else f"{source} warned"
            key = f"{who} ({warning.category.__name__}): {_text(warning.message)}"
            counts[key] = counts.get(key, 0) + 1
        for key, count in counts.items():
            times = f" ({count} times)" if count > 1 else ""
            notes.append(f"{name}: {key}{times}")


def _library_of(filename: str) -> str | None:
    """The installed library a source file belongs to (``.../sklearn/x.py``: scikit-learn)."""
    parts = filename.replace("\\", "/").split("/")
    if "site-packages" in parts[:-1]:
        return _source(parts[parts.index("site-packages") + 1])
    return None
