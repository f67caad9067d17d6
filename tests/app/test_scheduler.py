"""The model thread: one request at a time, newer views replace waiting ones, long jobs interleave."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest

from nicgui.app.heatmaps import HeatmapKind
from nicgui.app.requests import SaveRequest, ViewRequest
from nicgui.app.scheduler import Scheduler, Steps
from nicgui.app.source import Source

WAIT_S = 30.0


def view(scheduler: Scheduler, name: str) -> ViewRequest:
    return ViewRequest(scheduler.advance(), Source(name, name), 50, HeatmapKind.ABS)


class Recorder:
    """A runner that records what ran; the first request waits for ``gate`` (so others queue up)."""

    def __init__(self) -> None:
        self.ran: queue.Queue[str] = queue.Queue()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.first = True

    def start(self) -> None:
        self.ran.put("start")

    def run(self, request: object) -> Steps | None:
        name = request.source.name if isinstance(request, ViewRequest) else type(request).__name__
        self.ran.put(name)
        if self.first:
            self.first = False
            self.started.set()
            assert self.gate.wait(WAIT_S)
        if name == "boom":
            raise RuntimeError("a bug in a job")
        if name == "batch":
            return self.batch()
        return None

    def batch(self) -> Steps:
        for i in range(3):
            self.ran.put(f"file{i}")
            yield

    def taken(self, n: int) -> list[str]:
        return [self.ran.get(timeout=WAIT_S) for _ in range(n)]


@pytest.fixture
def running():
    s = Scheduler(lower_priority=False)
    r = Recorder()
    s.start(r)
    yield s, r
    r.gate.set()
    assert s.shutdown(WAIT_S)


def test_a_newer_view_replaces_the_views_still_waiting_but_not_other_requests(running):
    s, r = running
    s.submit(view(s, "first"))
    assert r.started.wait(WAIT_S)
    s.submit(view(s, "second"))
    s.submit(SaveRequest(1, Path("x.png"), b""))
    s.submit(view(s, "third"))
    assert s.pending == 2  # the save and the newest view
    r.gate.set()
    assert r.taken(4) == ["start", "first", "SaveRequest", "third"]


def test_only_the_newest_generation_is_current():
    s = Scheduler(lower_priority=False)
    a = s.advance()
    assert s.is_current(a)
    b = s.advance()
    assert not s.is_current(a) and s.is_current(b)
    s.shutdown()
    assert not s.is_current(b)  # closing makes everything stale, so work in flight stops


def test_a_batch_yields_to_a_view_submitted_while_it_runs():
    s = Scheduler(lower_priority=False)
    r = Recorder()
    r.first = False
    hold = threading.Event()
    entered = threading.Event()

    def batch() -> Steps:
        for i in range(3):
            r.ran.put(f"file{i}")
            if i == 0:
                entered.set()
                assert hold.wait(WAIT_S)
            yield

    r.batch = batch  # type: ignore[method-assign]
    s.start(r)
    s.submit(view(s, "batch"))
    assert entered.wait(WAIT_S)
    s.submit(view(s, "look"))  # arrives while the batch's first file is being compressed
    hold.set()
    assert r.taken(6) == ["start", "batch", "file0", "look", "file1", "file2"]
    assert s.shutdown(WAIT_S)


def test_a_bug_in_one_request_does_not_stop_the_thread(running, caplog):
    s, r = running
    r.gate.set()
    s.submit(view(s, "boom"))
    s.submit(view(s, "after"))  # may replace "boom" if it had not started: both orders are fine
    names = []
    while "after" not in names:
        names.append(r.ran.get(timeout=WAIT_S))
    assert s.running


def test_closing_drops_waiting_work_ends_the_thread_and_refuses_more(running):
    s, r = running
    s.submit(view(s, "first"))
    assert r.started.wait(WAIT_S)
    s.submit(SaveRequest(1, Path("x"), b""))
    s.close()
    assert s.pending == 0
    r.gate.set()  # "first" ends; nothing else runs
    assert s.shutdown(WAIT_S) and not s.running
    s.submit(SaveRequest(2, Path("y"), b""))  # ignored, no error
    assert r.taken(2) == ["start", "first"] and r.ran.empty()


def test_closing_during_a_batch_ends_it_so_it_can_report_how_far_it_got():
    s = Scheduler(lower_priority=False)
    r = Recorder()
    r.first = False
    hold = threading.Event()

    def batch() -> Steps:
        try:
            for i in range(3):
                r.ran.put(f"file{i}")
                yield
                if i == 0:
                    assert hold.wait(WAIT_S)
        finally:
            r.ran.put("summary")

    r.batch = batch  # type: ignore[method-assign]
    s.start(r)
    s.submit(view(s, "batch"))
    assert r.taken(3) == ["start", "batch", "file0"]
    s.close()
    hold.set()
    assert s.shutdown(WAIT_S)
    rest = [r.ran.get_nowait() for _ in range(r.ran.qsize())]
    assert rest[-1] == "summary" and len(rest) <= 2  # at most the file in flight, then the summary
