"""The application's one cache of results: least recently used, bounded by the bytes it holds.

Shared by the model thread (which fills it) and the session on the GUI thread (which answers a
slider move from it at once), so every operation holds a lock. cachetools does the bookkeeping;
the size of an entry is the memory of the arrays and bytes inside it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable
from dataclasses import fields, is_dataclass
from typing import Generic, TypeVar

import numpy as np
from cachetools import LRUCache

log = logging.getLogger(__name__)

V = TypeVar("V")


def result_key(source_key: str, quality: int) -> tuple[str, int]:
    """The key of a (picture, quality) result in the shared cache."""
    return (source_key, quality)


def nbytes(obj: object) -> int:
    """Approximate memory held by arrays and bytes inside ``obj`` (dataclasses, tuples, dicts).

    Each array's memory is counted once, however many fields hold it or views of it. Dataclass
    fields marked ``metadata={"shared": True}`` only repeat what other fields hold and are skipped.
    """
    return _nbytes(obj, set(), 0)


def _nbytes(obj: object, seen: set[int], depth: int) -> int:
    if depth > 4:
        return 0
    if isinstance(obj, np.ndarray):
        base = obj
        while isinstance(base.base, np.ndarray):
            base = base.base
        if id(base) in seen:
            return 0
        seen.add(id(base))
        return int(base.nbytes)
    if isinstance(obj, (bytes, bytearray)):
        return len(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return sum(_nbytes(getattr(obj, f.name), seen, depth + 1) for f in fields(obj) if not f.metadata.get("shared"))
    if isinstance(obj, (tuple, list)):
        return sum(_nbytes(v, seen, depth + 1) for v in obj)
    if isinstance(obj, dict):
        return sum(_nbytes(v, seen, depth + 1) for v in obj.values())
    return 0


class ResultCache(Generic[V]):
    """A thread-safe LRU cache of at most ``max_bytes`` (as ``nbytes`` counts them).

    A value larger than the whole budget is not kept (and evicts nothing). Values that grow after
    they were stored (an error map added, say) are re-measured by ``put`` of the same key.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: LRUCache[Hashable, V] = LRUCache(maxsize=max_bytes, getsizeof=lambda v: max(1, nbytes(v)))

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: V) -> bool:
        """Store ``value``; False when it alone is over the budget (then it is not kept)."""
        with self._lock:
            self._items.pop(key, None)
            try:
                self._items[key] = value
            except ValueError:  # cachetools: "value too large"
                log.debug("not caching %s: over the %d-byte budget", key, self.max_bytes)
                return False
            return True

    def pop(self, key: Hashable) -> V | None:
        with self._lock:
            return self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def bytes(self) -> int:
        with self._lock:
            return int(self._items.currsize)
