"""A process-wide cache shared by every visitor: the same work is done once, not once per tab.

Kept instead of st.cache_resource because it is measured cheaper on the hot path: a hit costs
1.2 µs against 351 µs for st.cache_resource with a move's real key (seed text, temperatures...),
which hashes every argument on every call (`benchmarks/cache_overhead.py`, 2-core machine,
2026-12-01). A move makes several lookups, so that is ~1-2 ms of a ~19 ms move. It also computes
a key once even when a whole class asks for it in the same second.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class SharedCache:
    """LRU of at most `max_entries` values, each kept at most `ttl` seconds (None: forever),
    and, given `weigh(value) -> bytes`, at most `max_bytes` in all (the newest is always kept)."""

    def __init__(
        self,
        max_entries: int,
        ttl: float | None = None,
        max_bytes: int | None = None,
        weigh: Callable[[Any], int] | None = None,
    ):
        self.max_entries, self.ttl = max_entries, ttl
        self.max_bytes, self.weigh = max_bytes, weigh
        self._weights: dict[Hashable, int] = {}
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        found, value = self._lookup(key)
        if found:
            return value
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:  # the first asker computes; the others wait for its result
            found, value = self._lookup(key)
            if not found:
                value = compute()
                self._store(key, value)
        with self._lock:
            self._computing.pop(key, None)
        return value

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when `key` is cached now, else (False, None); never computes."""
        return self._lookup(key)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._weights.clear()

    @property
    def bytes(self) -> int:
        return sum(self._weights.values())

    def __contains__(self, key) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def _lookup(self, key) -> tuple[bool, Any]:
        with self._lock:
            entry = self._values.get(key)
            if entry is None:
                return False, None
            stored, value = entry
            if self.ttl is not None and time.monotonic() - stored > self.ttl:
                del self._values[key]
                self._weights.pop(key, None)
                return False, None
            self._values.move_to_end(key)
            return True, value

    def _store(self, key, value) -> None:
        weight = self.weigh(value) if self.weigh is not None else 0
        with self._lock:
            self._values[key] = (time.monotonic(), value)
            self._values.move_to_end(key)
            self._weights[key] = weight
            total = sum(self._weights.values())
            while len(self._values) > 1 and (
                len(self._values) > self.max_entries
                or (self.max_bytes is not None and total > self.max_bytes)
            ):
                old, _ = self._values.popitem(last=False)
                total -= self._weights.pop(old, 0)
