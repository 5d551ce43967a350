"""A worker's own copy of a few shared-cache entries that cannot go stale.

The shared cache (Django's database cache by default, Redis by setting) is what every worker
reads and writes: nothing lives in one worker's memory only. In front of it, for entries
that are never changed in place, only replaced under another key or a newer version, each
process keeps the few it used last: a kept page (its key is a digest of everything the page
shows, seminar/pagecache.py), an annotation list's shared document at one list version
(annotations/listing/documents.py). A hit saves the cache round trip (on the database
cache, a query) and unpickling a document of megabytes; what the entry holds is the same
either way, so workers never disagree.

Bounded in count, least recently used out first; a lock, for servers that run threads.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

_every: weakref.WeakSet[Near] = weakref.WeakSet()


class Near:
    """At most `size` entries, each for at most `seconds` (as long as the shared cache keeps
    it: a near copy never outlives what it copies)."""

    def __init__(self, size: int, *, seconds: float):
        self.size, self.seconds = size, seconds
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        _every.add(self)

    def get(self, key: str) -> Any | None:
        with self._lock:
            deadline, value = self._entries.get(key, (0.0, None))
            if deadline < time.monotonic():
                self._entries.pop(key, None)
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Forget every near copy: when the shared cache is emptied (the tests roll it back with
    the database, and ids are reused after a rollback)."""
    for near in _every:
        near.clear()
