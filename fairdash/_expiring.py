"""A mapping that keeps at most so many entries, each for at most so long."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping

from fairdash._errors import InputError

__all__ = ["ExpiringCache"]


class ExpiringCache(MutableMapping):
    """A dict that drops its least recently used entries and entries older than a ttl.

    Reading or writing an entry makes it the most recently used; an entry
    stored more than ``ttl_seconds`` ago is gone (it is not renewed by
    reading). Entries are dropped when the cache is used, so nothing runs in
    the background.

    Parameters
    ----------
    max_entries : int
        The most entries kept; storing one more drops the least recently used.
    ttl_seconds : float or None
        How long an entry is kept after it was stored (None: no time limit).
    clock : callable, default=time.monotonic
        Seconds now (a test may pass its own).

    Examples
    --------
    >>> cache = ExpiringCache(max_entries=2, ttl_seconds=None)
    >>> cache["a"], cache["b"] = 1, 2
    >>> _ = cache["a"]  # "a" is now the most recently used
    >>> cache["c"] = 3
    >>> sorted(cache)
    ['a', 'c']
    """

    def __init__(
        self,
        *,
        max_entries: int,
        ttl_seconds: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (isinstance(max_entries, int) and max_entries >= 1):
            raise InputError(f"max_entries must be a positive integer, got {max_entries!r}.")
        if ttl_seconds is not None and not ttl_seconds > 0:
            raise InputError(f"ttl_seconds must be positive or None, got {ttl_seconds!r}.")
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict = OrderedDict()  # key -> (stored at, value)

    def _expire(self) -> None:
        if self.ttl_seconds is None:
            return
        oldest = self._clock() - self.ttl_seconds
        for key in [k for k, (stored, _) in self._entries.items() if stored < oldest]:
            del self._entries[key]

    def __getitem__(self, key):
        self._expire()
        _, value = self._entries[key]
        self._entries.move_to_end(key)
        return value

    def __setitem__(self, key, value) -> None:
        self._expire()
        self._entries[key] = (self._clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __delitem__(self, key) -> None:
        del self._entries[key]

    def __iter__(self) -> Iterator:
        self._expire()
        return iter(list(self._entries))

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def __contains__(self, key) -> bool:
        self._expire()
        return key in self._entries

    def clear(self) -> None:
        self._entries.clear()

    def __repr__(self) -> str:
        return (
            f"ExpiringCache({len(self)} of at most {self.max_entries} entries, "
            f"ttl_seconds={self.ttl_seconds})"
        )
