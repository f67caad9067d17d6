"""The session model without a window: generations, stale drops, answers from the cache, debouncing,
cancellation; first with a scripted scheduler, then with the real model thread and codec."""

from __future__ import annotations

import queue
import time
from dataclasses import replace

import numpy as np
import pytest

import nicgui.app.view_work as view_work
import nicgui.codec.api as api
import nicgui.codec.ssim as ssim
from nicgui.app.cache import ResultCache, result_key
from nicgui.app.evaluation import Evaluation
from nicgui.app.heatmaps import Heatmap, HeatmapKind
from nicgui.app.requests import PrecisionRequest, SaveRequest, ViewRequest
from nicgui.app.results import Failure, Finished, LatentData, Loaded, Outcome, Preview, WorkProgress
from nicgui.app.scheduler import Scheduler
from nicgui.app.session import Activity, Session
from nicgui.app.source import Source
from nicgui.app.worker import Worker
from nicgui.codec.metrics import Metrics
from nicgui.codec.pictures import Picture
from tests.conftest import synthetic_photo

WAIT_S = 120.0
GREYS = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)  # a colour table without pyqtgraph


class ManualTimer:
    """The debounce timer, fired by the test."""

    def __init__(self, callback) -> None:
        self.callback = callback
        self.active = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def is_active(self) -> bool:
        return self.active

    def fire(self) -> None:
        self.active = False
        self.callback()


class ScriptedScheduler:
    """Records requests; the test plays the model thread by handing messages to the session."""

    def __init__(self) -> None:
        self.sent: list[object] = []
        self._generation = 0

    def advance(self) -> int:
        self._generation += 1
        return self._generation

    def submit(self, request: object) -> None:
        self.sent.append(request)

    def shutdown(self, timeout=None) -> bool:
        return True

    @property
    def views(self) -> list[ViewRequest]:
        return [r for r in self.sent if isinstance(r, ViewRequest)]


class Events:
    """Everything the session told the widgets, in order."""

    def __init__(self, session: Session) -> None:
        self.log: list[tuple[str, object]] = []
        for name in ("loaded", "outcome", "classic", "preview", "failed", "busy_changed", "progress", "cancelled",
                     "stale_dropped"):  # fmt: skip
            getattr(session, name).connect(lambda *a, n=name: self.log.append((n, a[0] if a else None)))

    def of(self, name: str) -> list:
        return [v for n, v in self.log if n == name]


def outcome(generation: int, key: str, quality: int) -> Outcome:
    pic = Picture(np.zeros((16, 16, 3), np.uint8))
    heat = Heatmap(HeatmapKind.ABS, np.zeros((16, 16), np.float32), np.zeros((16, 16, 3), np.uint8), (0, 32))
    lat = LatentData(quality, np.zeros((1, 2, 2), np.int32), np.zeros((1, 2, 2), np.float32), np.zeros(1),
                     np.zeros((2, 2)), ((np.arange(1), np.ones(1)),))  # fmt: skip
    return Outcome(generation, key, quality, b"x" * 40, pic, Metrics(1.0, 48.1, 0.99, 0.99), heat, lat,
                   0.1, 0.01, 0.1, "cpu", 768)  # fmt: skip


@pytest.fixture
def scripted():
    sched = ScriptedScheduler()
    timers: list[ManualTimer] = []

    def timer(cb):
        timers.append(ManualTimer(cb))
        return timers[-1]

    session = Session(sched, ResultCache(1 << 20), timer)  # type: ignore[arg-type]
    return session, sched, timers[0], Events(session)


def show(session: Session, sched: ScriptedScheduler, source: Source, quality: int = 75) -> Outcome:
    """Open ``source`` and answer as the model thread would; returns the outcome shown."""
    session.open(source)
    req = sched.views[-1]
    session.receive(Loaded(req.generation, source, Picture(np.zeros((16, 16, 3), np.uint8)), np.zeros((4, 4, 3)),
                           10, 768))  # fmt: skip
    o = outcome(req.generation, source.key, quality)
    session.receive(o)
    session.receive(Finished(req.generation))
    return o


A, B = Source("a", "a.png"), Source("b", "b.png")


def test_results_of_an_older_generation_are_dropped_and_counted(scripted):
    session, sched, _, ev = scripted
    session.open(A)
    old = sched.views[-1]
    session.open(B)  # overtakes A before any result came back
    new = sched.views[-1]
    assert new.generation > old.generation and new.load
    session.receive(Loaded(old.generation, A, Picture(np.zeros((4, 4, 3), np.uint8)), np.zeros((4, 4, 3)), 1, 48))
    session.receive(outcome(old.generation, "a", 75))
    session.receive(WorkProgress(old.generation, "decoding", 1, 9, None))
    assert ev.of("loaded") == [] and ev.of("outcome") == [] and ev.of("progress") == []
    assert ev.of("stale_dropped") == [old.generation, old.generation]
    assert session.busy and session.shown_source is None


def test_the_view_goes_out_with_quality_moves_but_not_to_a_new_picture(scripted):
    session, sched, _, _ = scripted
    show(session, sched, A)
    session.set_view((10, 20, 30, 40))
    session.set_quality(60)
    assert sched.views[-1].view == (10, 20, 30, 40)
    session.open(B)
    assert sched.views[-1].view is None and sched.views[-1].load


def test_a_failed_load_goes_back_to_the_picture_on_screen(scripted):
    session, sched, _, ev = scripted
    show(session, sched, A)
    session.open(B)
    session.receive(Failure("load", "b.png: not an image", sched.views[-1].generation))
    assert session.state.source == A and ev.of("failed")[0].message == "b.png: not an image"
    session.set_quality(40)  # the slider goes on working for A
    assert sched.views[-1].source == A and not sched.views[-1].load


def test_a_single_step_goes_out_at_once_and_a_drag_costs_two_requests(scripted):
    session, sched, timer, _ = scripted
    show(session, sched, A)
    n = len(sched.views)
    session.set_quality(60)
    assert len(sched.views) == n + 1 and timer.active  # at once; the timer guards what follows
    for q in (59, 58, 57, 50):
        session.set_quality(q)
    assert len(sched.views) == n + 1  # waiting for the slider to settle
    timer.fire()
    assert len(sched.views) == n + 2 and sched.views[-1].quality == 50


def test_a_step_waits_while_the_previous_one_is_unanswered(scripted):
    session, sched, timer, _ = scripted
    show(session, sched, A)
    session.set_quality(60)
    timer.fire()  # nothing pending: no second request
    n = len(sched.views)
    session.set_quality(61)  # 60 has not been answered yet
    assert len(sched.views) == n and timer.active
    timer.fire()
    assert sched.views[-1].quality == 61


def test_a_cached_result_is_shown_at_once_without_the_model_thread(scripted):
    session, sched, _, ev = scripted
    first = show(session, sched, A, 75)
    ev_ = Evaluation(75, first.data, first.reconstruction, None, first.metrics, 0, 0, 0, first.latents)  # type: ignore[arg-type]
    ev_.outcomes[HeatmapKind.ABS] = first
    session.results.put(result_key("a", 75), ev_)
    session.set_quality(40)
    asked = len(sched.sent)
    session.receive(outcome(sched.views[-1].generation, "a", 40))
    session.set_quality(75)
    assert len(sched.sent) == asked  # nothing asked of the model thread
    shown = ev.of("outcome")[-1]
    assert shown.quality == 75 and shown.generation == session.generation and not session.busy
    session.set_compare("jpeg")  # the comparison is not in the cache: now it must ask
    assert sched.views[-1].compare == "jpeg" and sched.views[-1].quality == 75


def test_cancel_stops_waiting_and_drops_what_still_comes(scripted):
    session, sched, _, ev = scripted
    show(session, sched, A)
    session.set_quality(20)
    gen = sched.views[-1].generation
    session.cancel()
    assert not session.busy and ev.of("cancelled") == [None] and ev.of("busy_changed")[-1] is False
    session.receive(outcome(gen, "a", 20))
    assert ev.of("outcome")[-1].quality == 75 and ev.of("stale_dropped") == [gen]
    session.cancel()  # nothing to cancel: nothing happens
    assert ev.of("cancelled") == [None]


def test_saves_get_job_numbers_and_model_changes_empty_the_cache(scripted, tmp_path):
    session, sched, _, _ = scripted
    session.results.put("x", np.zeros(8, np.uint8))
    assert session.save(tmp_path / "a.nic", b"nic") == 1 and session.save(tmp_path / "b.png", b"") == 2
    assert [type(r) for r in sched.sent] == [SaveRequest, SaveRequest]
    session.set_model("mean-scale")
    assert len(session.results) == 0
    session.results.put("y", np.zeros(8, np.uint8))
    session.set_precision("float32")
    assert len(session.results) == 0 and sched.sent[-1] == PrecisionRequest("float32")


# -- with the real model thread and codec -----------------------------------------------------------
class Live:
    """A session on the real scheduler and jobs; the test pumps the delivered messages into it."""

    def __init__(self, codec) -> None:
        self.inbox: queue.Queue[object] = queue.Queue()
        self.scheduler = Scheduler(lower_priority=False)
        results: ResultCache[Evaluation] = ResultCache(1 << 28)
        self.timers: list[ManualTimer] = []
        self.session = Session(
            self.scheduler, results, lambda cb: self.timers.append(ManualTimer(cb)) or self.timers[-1]
        )
        self.events = Events(self.session)
        self.worker = Worker(lambda device: codec, "cpu", results, self.inbox.put, self.scheduler.is_current, GREYS)
        self.scheduler.start(self.worker)

    def pump(self, until, timeout: float = WAIT_S) -> None:
        end = time.monotonic() + timeout
        while not until():
            self.session.receive(self.inbox.get(timeout=max(0.01, end - time.monotonic())))


@pytest.fixture
def live(codec):
    lv = Live(codec)
    lv.pump(lambda: lv.session.model is not None)
    yield lv
    assert lv.session.shutdown(WAIT_S)


def test_live_open_then_step_back_to_a_cached_quality(live, photo):
    s, ev = live.session, live.events
    s.open(Source.from_pixels("photo", photo, 1))
    live.pump(lambda: not s.busy and ev.of("outcome"))
    first = ev.of("outcome")[-1]
    assert ev.of("loaded")[0].picture.rgb.shape == photo.shape and first.quality == 75
    assert first.heatmap.rgb.shape == photo.shape  # coloured with the given table
    s.set_quality(30, debounce=False)
    live.pump(lambda: not s.busy and ev.of("outcome")[-1].quality == 30)
    assert len(ev.of("outcome")[-1].data) < len(first.data)
    sent = live.scheduler.generation
    s.set_quality(75)
    assert live.scheduler.generation == sent + 1 and live.scheduler.pending == 0  # no request queued
    again = ev.of("outcome")[-1]
    assert again.quality == 75 and again.data == first.data and again.encoder_reused


def test_live_a_change_of_arithmetic_is_announced_and_the_picture_compressed_again(live, photo):
    s, ev = live.session, live.events
    s.open(Source.from_pixels("photo", photo, 1))
    live.pump(lambda: not s.busy and ev.of("outcome"))
    first = ev.of("outcome")[-1]
    for precision in ("float32", "bfloat16"):
        s.set_precision(precision)
        live.pump(lambda p=precision: s.model.precision == p)
        s.refresh()  # what the window does when a model is announced
        live.pump(lambda: not s.busy and ev.of("outcome")[-1] is not first)
        again = ev.of("outcome")[-1]
        assert again.quality == 75 and not again.encoder_reused  # analysed again in the new arithmetic
        assert abs(len(again.data) - len(first.data)) < 0.03 * len(first.data)
        first = again
    s.set_precision("fp8")
    live.pump(lambda: ev.of("failed"))
    assert "precision fp8" in ev.of("failed")[-1].message and s.model.precision == "bfloat16"


def test_live_opening_another_picture_cancels_long_work_within_half_a_second(live, monkeypatch, codec):
    monkeypatch.setattr(api, "ENCODER_TILE", 64)
    monkeypatch.setattr(type(codec.model), "decoder_tile", 8)
    s, ev = live.session, live.events
    s.open(Source.from_pixels("big", np.tile(synthetic_photo(128, 192), (6, 6, 1)), 1))
    live.pump(lambda: ev.of("progress"))
    overtaken = live.scheduler.generation
    t0 = time.perf_counter()
    s.open(Source.from_pixels("small", synthetic_photo(64, 64), 2))
    while True:  # the big picture's work ends (between two tiles), then the small one's starts
        m = live.inbox.get(timeout=WAIT_S)
        s.receive(m)
        if m == Finished(overtaken):
            break
    assert time.perf_counter() - t0 < 0.5
    live.pump(lambda: not s.busy and ev.of("outcome"))
    assert ev.of("loaded")[-1].source.name == "small" and ev.of("outcome")[-1].source_key == "pixels:2"
    assert all(o.source_key == "pixels:2" for o in ev.of("outcome"))  # nothing of the big one was shown


def test_live_a_broken_picture_is_one_failure_and_the_thread_goes_on(live, tmp_path, photo):
    s, ev = live.session, live.events
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    s.open(Source.from_path(bad))
    live.pump(lambda: ev.of("failed"))
    assert ev.of("failed")[0].stage == "load" and "bad.png" in ev.of("failed")[0].message
    s.open(Source.from_pixels("photo", photo, 3))
    live.pump(lambda: not s.busy and ev.of("outcome"))
    assert replace(ev.of("outcome")[-1]).source_key == "pixels:3"


def test_only_a_big_picture_seen_in_part_is_decoded_view_first(monkeypatch):
    monkeypatch.setattr(view_work, "VIEW_FIRST_PIXELS", 1000)
    assert view_work.view_first(None, 100, 100) is None
    assert view_work.view_first((0, 0, 100, 100), 100, 100) is None  # all of it in view: one pass
    assert view_work.view_first((-20, 10, 40, 60), 100, 100) == (0, 10, 40, 60)  # clipped to the picture
    assert view_work.view_first((200, 0, 300, 50), 100, 100) is None  # nothing of it in view
    assert view_work.view_first((0, 0, 10, 10), 30, 30) is None  # 900 pixels: fast enough as a whole


def test_live_the_part_on_screen_comes_first_then_the_whole(live, monkeypatch, codec, photo):
    monkeypatch.setattr(view_work, "VIEW_FIRST_PIXELS", 0)
    monkeypatch.setattr(type(codec.model), "decoder_tile", 8)
    s, ev = live.session, live.events
    previews: list[Preview] = []
    s.preview.connect(previews.append)
    s.open(Source.from_pixels("photo", photo, 4))
    live.pump(lambda: not s.busy and ev.of("outcome"))
    assert [p.rect for p in previews] == [(0, 0, 192, 128)]  # no view known yet: only the whole, ahead of figures
    previews.clear()
    s.set_view((100, 20, 180, 70))
    s.set_quality(35, debounce=False)
    live.pump(lambda: not s.busy and ev.of("outcome")[-1].quality == 35)
    assert len(previews) == 2  # the part in view, then the whole before its figures
    p, o = previews[0], ev.of("outcome")[-1]
    assert p.generation == o.generation and p.quality == 35 and p.source_key == o.source_key
    assert [n for n, v in ev.log if n in ("preview", "outcome")][-3:] == ["preview", "preview", "outcome"]
    assert previews[1].rect == (0, 0, 192, 128) and np.array_equal(previews[1].rgb, o.pixels)
    x0, y0, x1, y1 = p.rect
    assert x0 <= 100 and y0 <= 20 and x1 >= 180 and y1 >= 70
    assert np.abs(p.rgb.astype(int) - o.reconstruction.rgb[y0:y1, x0:x1].astype(int)).max() <= 1


def test_live_opening_another_picture_cancels_the_metrics_too(live, monkeypatch):
    monkeypatch.setattr(ssim, "_STRIP_VALUES", 3 * 1152 * 4)  # a few rows per strip: many strips
    s, ev = live.session, live.events
    s.open(Source.from_pixels("big", np.tile(synthetic_photo(128, 192), (6, 6, 1)), 1))
    live.pump(lambda: any(p.stage == "measuring" for p in ev.of("progress")))
    overtaken = live.scheduler.generation
    t0 = time.perf_counter()
    s.open(Source.from_pixels("small", synthetic_photo(64, 64), 2))
    while (m := live.inbox.get(timeout=WAIT_S)) != Finished(overtaken):
        s.receive(m)
    assert time.perf_counter() - t0 < 0.5
    assert not any(o.source_key == "pixels:1" for o in ev.of("outcome"))  # the big one never finished


def test_activity_says_working_cancelled_or_idle_for_the_current_wish(scripted):
    session, sched, _, _ = scripted
    assert session.activity == Activity.IDLE
    session.open(A)
    assert session.activity == Activity.WORKING
    session.cancel()
    assert session.activity == Activity.CANCELLED  # nothing runs, and what was asked did not come
    session.set_quality(40)  # asking again ends the cancelled state at once
    assert session.activity == Activity.WORKING and sched.views[-1].quality == 40
    session.receive(outcome(sched.views[-1].generation, "a", 40))
    session.receive(Finished(sched.views[-1].generation))
    assert session.activity == Activity.IDLE
