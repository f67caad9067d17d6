"""Rate-distortion measurement of nicgui against JPEG, WebP and AVIF on a folder of images.

Every point is a real file: nicgui writes .nic bytes and decodes them back; the classical codecs
go through Pillow. bpp comes from the file sizes. Curves are averaged per quality setting over
the images (mean bpp, mean PSNR / MS-SSIM), as published Kodak figures are.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nicgui.codec import classic
from nicgui.codec.api import load_model
from nicgui.codec.effort import SearchOptions, Tune
from nicgui.codec.metrics import measure
from nicgui.codec.rate import bits_per_pixel
from nicgui.train import report
from nicgui.train.data import list_images, load_rgb

# the rate-distortion vocabulary lives in rd.py; these names stay importable from here (benchmarks/effort.py)
from nicgui.train.rd import OURS, Point, average_curves, bd_table, compare_models

__all__ = ["CLASSIC_QUALITIES", "OURS", "EvalConfig", "Point", "average_curves", "bd_table", "point", "run_evaluation"]

log = logging.getLogger(__name__)

NIC_QUALITIES = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
CLASSIC_QUALITIES = {
    "jpeg": [2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95],
    "webp": [0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95],
    "avif": [0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95],
    "jxl": [5, 10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95],
}


@dataclass
class EvalConfig:
    data: Path
    out: Path
    weights: str | None = None
    device: str | None = None
    precision: str = "float32"  # the networks' arithmetic; float32 gives figures independent of the machine
    qualities: list[int] | None = None
    codecs: list[str] | None = None
    reference: Path | None = None
    limit: int = 0
    compare_with: list[Path] | None = None  # earlier eval folders whose nicgui curve is drawn too
    effort: int = 0  # the encoder's search (codec/refine.py); 0: one pass
    tune: str = "psnr"


def point(
    name: str, codec: str, quality: int, size: int, ref: np.ndarray, rec: np.ndarray, te: float, td: float
) -> Point:
    """One measured point: ``size`` bytes decoding ``ref`` to ``rec`` (``te``, ``td``: encode and decode seconds)."""
    m = measure(ref, rec)
    bpp = bits_per_pixel(size, ref.shape[1], ref.shape[0])
    return Point(name, codec, quality, size, bpp, m.psnr, m.ms_ssim, m.ssim, te, td)


def _previous_classic(out: Path) -> dict[tuple[str, str, int], Point]:
    """Classical-codec points of an earlier run in ``out``: they do not depend on our model."""
    path = out / "points.csv"
    if not path.is_file():
        return {}
    found = {}
    with path.open() as f:
        for r in csv.DictReader(f):
            if r["codec"] != OURS:
                p = Point.from_row(r)
                found[(p.image, p.codec, p.quality)] = p
    return found


def evaluate_images(cfg: EvalConfig) -> list[Point]:
    """All points for all images and codecs (classical points of an earlier run in cfg.out are reused)."""
    codec = load_model(cfg.weights, cfg.device, cfg.precision)
    files = list_images(cfg.data)
    if cfg.limit:
        files = files[: cfg.limit]
    qualities = cfg.qualities or NIC_QUALITIES
    others = [c for c in (cfg.codecs or list(CLASSIC_QUALITIES)) if c]
    for c in others:
        if c not in CLASSIC_QUALITIES:
            raise ValueError(f"unknown codec {c!r}; choose from {', '.join(CLASSIC_QUALITIES)}")
    skipped = [c for c in others if not classic.available(c)]
    for c in skipped:
        log.warning("this Pillow build cannot write %s; skipping it", c)
    others = [c for c in others if c not in skipped]
    points: list[Point] = []
    previous = _previous_classic(Path(cfg.out))
    for i, path in enumerate(files):
        rgb = load_rgb(path)
        t0 = time.perf_counter()
        analysis = codec.analyse(rgb)
        t_net = time.perf_counter() - t0
        options = SearchOptions(cfg.effort, Tune(cfg.tune)) if cfg.effort else None
        for q in qualities:
            t1 = time.perf_counter()
            data = (
                codec.compress(analysis, q, options=options).data
                if options
                else codec.write(analysis.picture, codec.quantise(analysis, q))
            )
            te = t_net + time.perf_counter() - t1
            t2 = time.perf_counter()
            rec = codec.decode(data).rgb
            points.append(point(path.name, OURS, q, len(data), rgb, rec, te, time.perf_counter() - t2))
        for c in others:
            for q in CLASSIC_QUALITIES[c]:
                if (path.name, c, q) in previous:
                    points.append(previous[(path.name, c, q)])
                    continue
                t1 = time.perf_counter()
                r = classic.compress(rgb, c, q)
                points.append(point(path.name, c, q, r.size, rgb, r.rgb, time.perf_counter() - t1, 0.0))
        log.info("%d/%d %s", i + 1, len(files), path.name)
    return points


def run_evaluation(cfg: EvalConfig) -> str:
    """Evaluate; write points.csv, summary.json, bd_rate.md, rd_table.md, RD plots and, with models to compare
    with, compare.md; return the BD table."""
    out = Path(cfg.out)
    others = report.load_compared(cfg.compare_with or [])
    out.mkdir(parents=True, exist_ok=True)
    points = evaluate_images(cfg)
    curves = average_curves(points)
    table = bd_table(curves)
    codec = load_model(cfg.weights, "cpu")
    return report.write_report(
        out, points, curves, table, str(codec.identity), codec.weights.info,
        report.load_reference(cfg.reference) if cfg.reference else {}, others, cfg.precision,
        compare_models(curves[OURS], others),
    )  # fmt: skip
