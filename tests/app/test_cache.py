"""The one result cache: least recently used out first, bounded by bytes, safe across threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from nicgui.app.cache import ResultCache, nbytes


def test_the_least_recently_used_go_first_when_the_bytes_run_out():
    c: ResultCache[np.ndarray] = ResultCache(max_bytes=250)
    for k in "abc":
        assert c.put(k, np.zeros(80, np.uint8))
    assert c.get("a") is not None  # "a" is now the most recent
    c.put("d", np.zeros(80, np.uint8))  # 320 bytes would be over: the oldest ("b") goes
    assert "b" not in c and all(k in c for k in "acd") and c.bytes == 240


def test_a_value_over_the_whole_budget_is_not_kept_and_evicts_nothing():
    c: ResultCache[np.ndarray] = ResultCache(max_bytes=100)
    c.put("a", np.zeros(60, np.uint8))
    assert not c.put("huge", np.zeros(101, np.uint8))
    assert "huge" not in c and "a" in c and c.bytes == 60


def test_a_value_that_grew_is_measured_again_when_put_back():
    @dataclass
    class Result:
        data: bytes
        maps: dict[str, np.ndarray] = field(default_factory=dict)
        views: dict[str, np.ndarray] = field(default_factory=dict, metadata={"shared": True})

    r = Result(b"x" * 10)
    c: ResultCache[Result] = ResultCache(max_bytes=1000)
    c.put("k", r)
    assert c.bytes == 10
    r.maps["abs"] = np.zeros(100, np.uint8)
    r.views["abs"] = r.maps["abs"]  # the same memory again: not counted twice
    c.put("k", r)
    assert c.bytes == 110 == nbytes(r) and len(c) == 1
    r.maps["again"] = r.maps["abs"][10:]  # a view of memory already counted: nothing more
    assert nbytes(r) == 110 and nbytes((np.zeros(4, np.float32), b"ab")) == 18


def test_threads_putting_and_reading_at_once_keep_the_books_right():
    c: ResultCache[np.ndarray] = ResultCache(max_bytes=64 * 50)

    def work(offset: int) -> None:
        for i in range(500):
            c.put((offset, i % 70), np.zeros(64, np.uint8))
            c.get((offset, (i * 7) % 70))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.bytes == 64 * len(c) <= 64 * 50
