"""A small least-recently-used cache bounded by entry count and by bytes of numpy data held."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from typing import Generic, TypeVar

import numpy as np

V = TypeVar("V")


def nbytes(obj: object, _depth: int = 0) -> int:
    """Approximate memory held by arrays and bytes inside ``obj`` (dataclasses, tuples, dicts)."""
    if _depth > 4:
        return 0
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if isinstance(obj, (bytes, bytearray)):
        return len(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return sum(nbytes(getattr(obj, f.name), _depth + 1) for f in fields(obj))
    if isinstance(obj, (tuple, list)):
        return sum(nbytes(v, _depth + 1) for v in obj)
    if isinstance(obj, dict):
        return sum(nbytes(v, _depth + 1) for v in obj.values())
    return 0


class LruCache(Generic[V]):
    """Keeps the most recently used values; evicts the oldest beyond ``max_items`` or ``max_bytes``.

    The newest value always stays, even when it alone exceeds ``max_bytes``.
    """

    def __init__(self, max_items: int, max_bytes: int, size_of: Callable[[V], int] = nbytes) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable) -> V | None:
        hit = self._items.get(key)
        if hit is None:
            return None
        self._items.move_to_end(key)
        return hit[0]

    def put(self, key: Hashable, value: V) -> None:
        self.pop(key)
        size = self._size_of(value)
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > 1 and (len(self._items) > self.max_items or self._bytes > self.max_bytes):
            _, (_, old) = self._items.popitem(last=False)
            self._bytes -= old

    def pop(self, key: Hashable) -> V | None:
        hit = self._items.pop(key, None)
        if hit is None:
            return None
        self._bytes -= hit[1]
        return hit[0]

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def values(self) -> list[V]:
        return [v for v, _ in self._items.values()]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes
