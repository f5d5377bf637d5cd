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


@contextmanager
def capture_warnings(name: str) -> Iterator[list[str]]:
    """Collect the warnings a method raises into notes naming the method.

    Python warnings (``warnings.catch_warnings``) except developer ones, and
    the warnings fairlearn logs from this thread, each once with how often it
    came. The notes are added to the yielded list when the block ends (also
    when it raises). fairlearn's logged warnings still reach the log as before.

    ``warnings.catch_warnings`` is process-wide: a warning another thread
    raises meanwhile may be collected here too.

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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
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
