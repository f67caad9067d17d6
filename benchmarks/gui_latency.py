"""Slider latency and GUI-thread blocking of the desktop app, offscreen.

    python benchmarks/gui_latency.py IMAGE [--moves 20] [--megapixels 24] [--model NAME_OR_FILE]

($NICGUI_PRECISION=float32 measures the networks in float32 on a CPU that has bfloat16.)

Opens IMAGE in the real window (worker thread, model, views, inspector), waits for the first
result, then moves the quality slider ~20 times to qualities not seen before. For each move it
measures the time from the slider's new value to the updated reconstruction and metrics being on
screen (a single step is sent at once once the last result is on screen; moves during a drag
wait for the ~100 ms debounce), and the worker's share of it. Meanwhile a QTimer
ticks every 5 ms on the GUI thread; the longest gap between ticks, less 5 ms, is the longest time
the event loop was blocked. ``--megapixels`` scales the image up (Lanczos) to check that a large
picture never freezes the interface, then zooms to 1:1 and measures the time from a slider move
until the tiles in view are updated (decoded ahead of the rest) and until the whole picture and
its figures are, and how long it takes to cancel long work (open a second big picture, and while
its encoder runs go back to the first). The numbers are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TICK_MS = 5


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image", type=Path)
    p.add_argument("--moves", type=int, default=20)
    p.add_argument("--megapixels", type=float, help="scale the image to about this many megapixels")
    p.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    p.add_argument("--model", help="installed model name or weights file (default: the default model)")
    args = p.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from nicgui.app.results import Finished
    from nicgui.app.source import Source
    from nicgui.app.worker import default_codec_factory
    from nicgui.gui.app import worker_threads
    from nicgui.gui.client import CodecClient
    from nicgui.gui.settings import Settings, file_qsettings
    from nicgui.gui.window import MainWindow

    app = QApplication.instance() or QApplication(["gui_latency"])
    app.setApplicationName("nicgui-gui-latency")
    tmp = tempfile.TemporaryDirectory()
    settings = Settings(file_qsettings(Path(tmp.name) / "settings.ini"))
    settings.quality = 75
    client = CodecClient(default_codec_factory(args.model), args.device, threads=worker_threads())
    window = MainWindow(client, settings)
    window.resize(1600, 1000)
    window.show()

    # -- the event-loop probe ----------------------------------------------------------------------
    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(TICK_MS)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def wait(predicate, timeout_s: float = 1800.0) -> None:
        """Run the event loop (no busy polling) until predicate() holds."""
        loop = QEventLoop()
        check = QTimer()
        check.setInterval(1)
        check.timeout.connect(lambda: predicate() and loop.quit())
        check.start()
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        check.stop()
        if not predicate():
            raise SystemExit(f"gui_latency: timed out; message: {window.message.text()!r}")

    # -- GUI-thread time spent putting a result on screen ------------------------------------------
    apply_s: list[float] = []
    client.outcome.disconnect(window._outcome)

    def timed_outcome(o) -> None:
        t = time.perf_counter()
        window._outcome(o)
        apply_s.append(time.perf_counter() - t)

    client.outcome.connect(timed_outcome)

    wait(lambda: client.model is not None)
    t_open = time.perf_counter()
    probe.start()
    if args.megapixels:
        with Image.open(args.image) as im:
            im = im.convert("RGB")
            scale = (args.megapixels * 1e6 / (im.width * im.height)) ** 0.5
            big = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
        window.open_sources([Source.from_pixels(f"{args.image.name} ×{scale:.1f}", np.asarray(big), 1)])
    else:
        window.open_paths([args.image])
    wait(lambda: window.outcome is not None and not client.busy)
    first_s = time.perf_counter() - t_open
    o = window.outcome
    w, h = o.reconstruction.width, o.reconstruction.height
    open_block = _max_block(ticks)

    # -- slider moves to qualities not cached yet ------------------------------------------------
    qualities = [q for q in range(21, 101, 4) if q != window.slider.value()][: args.moves]
    latencies, workers, decodes, metrics = [], [], [], []
    ticks.clear()
    apply_s.clear()
    for q in qualities:
        t0 = time.perf_counter()
        window.slider.setValue(q)
        wait(lambda q=q: window.outcome is not None and window.outcome.quality == q)
        latencies.append(time.perf_counter() - t0)
        o = window.outcome
        workers.append(o.encode_seconds + o.decode_seconds + o.metrics_seconds)
        decodes.append(o.decode_seconds)
        metrics.append(o.metrics_seconds)
    moves_block = _max_block(ticks)
    gaps = np.diff(np.array(ticks)) * 1000 - TICK_MS

    # -- moving back: answered from the recent results -------------------------------------------
    back = []
    for q in qualities[-5:-1][::-1]:
        t0 = time.perf_counter()
        window.slider.setValue(q)
        wait(lambda q=q: window.outcome.quality == q)
        back.append(time.perf_counter() - t0)
    probe.stop()

    ms = lambda s: 1000 * s  # noqa: E731
    print(
        f"image            {args.image.name}: {w}x{h} ({w * h / 1e6:.1f} MP) on {o.device}, "
        f"{worker_threads()} worker thread(s), model {client.model.identity if client.model else '?'}"
    )
    print(
        f"first result     {first_s:.2f} s after opening (load + encoder network + first quality); "
        f"longest GUI block meanwhile {open_block:.0f} ms"
    )
    print(
        f"slider moves     {len(latencies)}: median {ms(statistics.median(latencies)):.0f} ms, "
        f"min {ms(min(latencies)):.0f}, p90 {ms(_p(latencies, 90)):.0f}, max {ms(max(latencies)):.0f} ms "
        "(move -> reconstruction and metrics on screen)"
    )
    print(
        f"  worker share   median {ms(statistics.median(workers)):.0f} ms: decoder network "
        f"{ms(statistics.median(decodes)):.0f} ms, quantise+entropy coding "
        f"{ms(statistics.median([a - b - c for a, b, c in zip(workers, decodes, metrics, strict=True)])):.0f} ms, "
        f"metrics+error map {ms(statistics.median(metrics)):.0f} ms"
    )
    print(
        f"  GUI thread     applying a result: median {ms(statistics.median(apply_s)):.1f} ms, "
        f"max {ms(max(apply_s)):.1f} ms"
    )
    print(
        f"GUI thread block longest {moves_block:.0f} ms during the moves "
        f"(event-loop tick every {TICK_MS} ms; p99 extra delay {np.percentile(gaps, 99):.1f} ms)"
    )
    print(f"moving back      median {ms(statistics.median(back)):.1f} ms (recent results cache)")
    if args.megapixels:  # a big picture looked at closely: the part on screen comes first
        previews: list[object] = []
        window.preview_shown.connect(previews.append)
        fresh = iter(q for q in range(23, 101, 2) if q not in qualities)
        for mode in ("side", "split"):  # the 2x2 grid's small views, then the split view's big one
            window.set_view_mode(mode)
            app.processEvents()
            window.views.actual_pixels()  # one picture pixel per screen pixel, at the centre
            app.processEvents()
            region = window.views.visible_region()
            in_view, whole_shown, whole = [], [], []
            for q in [next(fresh) for _ in range(max(1, min(3, args.moves)))]:
                previews.clear()
                t0 = time.perf_counter()
                window.slider.setValue(q)
                wait(lambda q=q: bool(previews) or (window.outcome is not None and window.outcome.quality == q))
                in_view.append(time.perf_counter() - t0)
                wait(lambda q=q: len(previews) > 1 or (window.outcome is not None and window.outcome.quality == q))
                whole_shown.append(time.perf_counter() - t0)
                wait(lambda q=q: window.outcome is not None and window.outcome.quality == q)
                whole.append(time.perf_counter() - t0)
            rw, rh = (region[2] - region[0], region[3] - region[1]) if region else (0, 0)
            print(
                f"1:1, {mode:5s} view {rw}x{rh} px: tiles in view updated {ms(statistics.median(in_view)):.0f} ms "
                f"after a slider move (median of {len(in_view)}, max {ms(max(in_view)):.0f}); whole picture "
                f"{ms(statistics.median(whole_shown)):.0f} ms; with its figures {ms(statistics.median(whole)):.0f} ms"
            )
    if args.megapixels:  # cancelling long work: only big pictures have any to cancel
        progressed: list[object] = []
        skipped: list[tuple[int, float]] = []
        client.progress.connect(progressed.append)
        client.delivered.connect(  # on the model thread, the moment the work ends
            lambda m: isinstance(m, Finished) and skipped.append((m.generation, time.perf_counter())),
            Qt.ConnectionType.DirectConnection,
        )
        flipped = np.ascontiguousarray(np.asarray(big)[::-1])
        window.open_sources([Source.from_pixels(f"{args.image.name} flipped", flipped, 2)])
        wait(lambda: bool(progressed))  # the encoder of the new picture is running
        overtaken = client.generation
        t0 = time.perf_counter()
        window.select(0)  # the user goes back to the first picture
        wait(lambda: any(g == overtaken for g, _ in skipped))
        cancel_s = next(t for g, t in skipped if g == overtaken) - t0
        print(f"cancel           {ms(cancel_s):.0f} ms from opening another picture to the long work stopping")
    window.close()
    tmp.cleanup()
    return 0


def _max_block(ticks: list[float]) -> float:
    """Longest gap between probe ticks beyond the tick interval, in ms."""
    if len(ticks) < 2:
        return float("nan")
    return max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) * 1000 - TICK_MS


def _p(values: list[float], pct: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(pct / 100 * (len(s) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
