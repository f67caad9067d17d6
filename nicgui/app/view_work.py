"""The work of one view request on the model thread: load the picture, compress it at the quality
asked for, measure it, and compare it with a classical codec.

The encoder's output is kept for the last few pictures, so a quality change only re-quantises,
entropy-codes, decodes and measures; results go into the shared byte-bounded ``ResultCache``. Long
work checks ``is_current`` between tiles and stops (``Cancelled``) once its generation is overtaken.
A ``ViewWork`` is handed what it needs (``emit``, ``is_current``, a ``reader`` for .nic files) by the
worker that owns it, and never imports it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from nicgui.app.cache import ResultCache, result_key
from nicgui.app.evaluation import Evaluation, compare_classic, evaluate, heatmap_for, latent_data
from nicgui.app.requests import ViewRequest
from nicgui.app.results import (
    ClassicOutcome,
    Failure,
    Finished,
    Loaded,
    NicStats,
    Preview,
    SourceStats,
    Stage,
    WorkProgress,
    WorkStage,
    classic_name,
)
from nicgui.app.source import LoadedSource, load_source, on_checkerboard, png_bytes, raw_bytes, shown_pixels
from nicgui.app.text import describe_error
from nicgui.codec.api import Codec, Compressed
from nicgui.codec.progress import Cancelled, Progress
from nicgui.errors import USER_ERRORS

log = logging.getLogger(__name__)

SOURCES_KEPT = 3  # pictures whose encoder output stays cached (torch tensors: bounded by count)
# The part on screen is decoded first (and shown at once) when the picture has at least this many
# pixels and the view shows at most this share of it; smaller work is fast enough as a whole.
VIEW_FIRST_PIXELS = 4_000_000
VIEW_FIRST_SHARE = 0.6

Emit = Callable[[object], None]
Reader = Callable[[bytes], Codec]  # the codec that reads a .nic file


class ViewWork:
    """What one ``ViewRequest`` costs: progress and cancelling, the pictures read, evaluating,
    comparing, and the results sent (every method runs on the model thread)."""

    def __init__(
        self,
        results: ResultCache[Evaluation],
        emit: Emit,
        is_current: Callable[[int], bool],
        colours: np.ndarray,
        reader: Reader,
    ) -> None:
        self._results = results
        self._emit = emit
        self._is_current = is_current
        self._colours = colours
        self._reader = reader
        self._sources: dict[str, LoadedSource] = {}  # oldest first

    def run(self, req: ViewRequest, codec: Codec | None) -> None:
        """Answer ``req`` with ``codec``; failures become ``Failure`` results, and ``Finished`` comes last."""
        try:
            self._steps(req, codec)
        except Cancelled:
            log.debug("view of generation %d cancelled between tiles", req.generation)
        except USER_ERRORS as e:
            stage = Stage.LOAD if req.source.key not in self._sources else Stage.COMPRESS
            log.warning("%s of %s failed: %s", stage, req.source.name, e)
            self._emit(Failure(stage, f"{req.source.name}: {describe_error(e)}", req.generation))
        except Exception as e:  # a bug must not take the model thread down: report it and go on
            log.exception("request for %s failed", req.source.name)
            self._emit(Failure(Stage.COMPRESS, f"{req.source.name}: internal error: {e}", req.generation))
        finally:
            self._emit(Finished(req.generation))

    def forget(self) -> None:
        """After a change of model or device: pictures are analysed again, results computed again."""
        for src in self._sources.values():
            src.analysis = None
        self._results.clear()

    def _stale(self, request: ViewRequest) -> bool:
        return not self._is_current(request.generation)

    def _progress_for(self, req: ViewRequest) -> Progress:
        """A progress callback for one request: reports a few times a second, and stops the work
        between tiles once a newer request (or the end of the app) has made it pointless."""
        first_tile_done: dict[str, float] = {}  # per stage: when its first tile ended
        last = 0.0

        def report(stage: str, done: int, total: int) -> None:
            nonlocal last
            if self._stale(req):
                raise Cancelled("overtaken by a newer request")
            if done == 0:  # the part on screen, decoded ahead of the tiles
                return
            now = time.perf_counter()
            t1 = first_tile_done.setdefault(stage, now)
            if total > 1 and (now - last > 0.1 or done == total):
                last = now
                left = (now - t1) / (done - 1) * (total - done) if done > 1 else None
                self._emit(WorkProgress(req.generation, WorkStage(stage), done, total, left))

        return report

    def _source(self, req: ViewRequest, codec: Codec) -> LoadedSource:
        src = self._sources.pop(req.source.key, None)
        if src is None:
            src = load_source(codec, req.source, self._reader)
        self._sources[req.source.key] = src  # newest last
        while len(self._sources) > SOURCES_KEPT:
            del self._sources[next(iter(self._sources))]
        return src

    def _steps(self, req: ViewRequest, codec: Codec | None) -> None:
        if self._stale(req):
            return
        if codec is None:
            raise ValueError("the model is not loaded")
        src = self._source(req, codec)
        if req.load:
            self._emit(self._loaded(req, src, codec))
        if src.decoded is not None or self._stale(req):
            return
        progress = self._progress_for(req)
        encoder_reused = src.analysis is not None
        if src.analysis is None:
            src.analysis = codec.analyse(src.picture, progress)
            if self._stale(req):
                return
        key = result_key(req.source.key, req.quality)
        ev = self._results.get(key)
        if ev is None:
            ev = self._evaluate(req, src, codec, progress)
        t0 = time.perf_counter()
        heat = heatmap_for(ev, src.picture.rgb, req.heatmap, self._colours)
        outcome = ev.outcome(
            generation=req.generation,
            source_key=req.source.key,
            heatmap=heat,
            analyse_seconds=src.analysis.seconds,
            device=str(codec.device),
            raw_bytes=raw_bytes(src.picture),
            metrics_seconds=ev.metrics_seconds + time.perf_counter() - t0,
            encoder_reused=encoder_reused,
        )
        ev.outcomes[req.heatmap] = replace(outcome, encoder_reused=True)  # a later answer reuses everything
        self._results.put(key, ev)
        self._emit(outcome)
        if req.compare and not self._stale(req):
            self._compare(req, src, ev, progress)
            self._results.put(key, ev)  # re-measured with the comparison in it
        if src.png_bytes is None:  # once per picture, after its first result is out
            src.png_bytes = png_bytes(src.picture)
            self._emit(SourceStats(req.source.key, src.png_bytes))

    def _evaluate(self, req: ViewRequest, src: LoadedSource, codec: Codec, progress: Progress) -> Evaluation:
        """Compress, decode and measure at the request's quality. On a big picture the part in
        view goes out first, then the whole picture before its metrics (``Preview`` each)."""
        assert src.analysis is not None
        pic = src.picture
        t_start = time.perf_counter()

        def on_view(rgb: np.ndarray, rect: tuple[int, int, int, int]) -> None:
            if pic.alpha is not None:
                rgb = on_checkerboard(rgb, pic.alpha[rect[1] : rect[3], rect[0] : rect[2]], rect[:2])
            seconds = time.perf_counter() - t_start
            self._emit(Preview(req.generation, req.source.key, req.quality, rect, rgb, seconds))

        early: list[np.ndarray] = []  # the whole reconstruction as a view shows it, kept for the result

        def on_decoded(r: Compressed) -> None:
            early.append(shown_pixels(r.picture))
            seconds = time.perf_counter() - t_start
            self._emit(Preview(req.generation, req.source.key, req.quality, (0, 0, pic.width, pic.height),
                               early[0], seconds))  # fmt: skip

        big = pic.width * pic.height >= VIEW_FIRST_PIXELS
        view = view_first(req.view, pic.width, pic.height)
        ev = evaluate(
            codec, src.analysis, req.quality, src.reference, progress, view, on_view, on_decoded if big else None
        )
        if early:
            ev.shown = early[0]
        return ev

    def _compare(self, req: ViewRequest, src: LoadedSource, ev: Evaluation, progress: Progress) -> None:
        assert req.compare is not None
        memo = (req.compare, req.heatmap)
        try:
            if memo not in ev.classic:
                ev.classic[memo] = compare_classic(
                    src.picture.rgb,
                    src.reference,
                    req.compare,
                    ev.data,
                    req.heatmap,
                    self._colours,
                    req.generation,
                    req.source.key,
                    req.quality,
                    progress,
                    src.picture.alpha,
                )
            self._emit(retag(ev.classic[memo], req.generation))
        except USER_ERRORS as e:
            self._emit(Failure(Stage.COMPARE, f"{classic_name(req.compare)}: {describe_error(e)}", req.generation))

    def _loaded(self, req: ViewRequest, src: LoadedSource, codec: Codec) -> Loaded:
        nic = None
        if src.decoded is not None:
            d = src.decoded
            nic = NicStats(d.header, d.size, d.seconds, latent_data(src.decoder or codec, d.quantised))
        return Loaded(
            req.generation,
            req.source,
            src.picture,
            src.thumbnail,
            src.file_bytes,
            raw_bytes(src.picture),
            nic,
            str(codec.device),
            src.shown,
        )


def view_first(view: tuple[int, int, int, int] | None, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The part of the picture to decode first: the view, when the picture is big and the view
    a small enough part of it; else None (the whole is decoded in one go)."""
    if view is None or width * height < VIEW_FIRST_PIXELS:
        return None
    x0, y0, x1, y1 = max(0, view[0]), max(0, view[1]), min(width, view[2]), min(height, view[3])
    if x0 >= x1 or y0 >= y1 or (x1 - x0) * (y1 - y0) > VIEW_FIRST_SHARE * width * height:
        return None
    return (x0, y0, x1, y1)


def retag(c: ClassicOutcome, generation: int) -> ClassicOutcome:
    """A cached classic result, labelled with the generation that asked for it again."""
    return c if c.generation == generation else replace(c, generation=generation)
