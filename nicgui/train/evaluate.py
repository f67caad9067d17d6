"""Rate-distortion measurement of nicgui against JPEG, WebP and AVIF on a folder of images.

Every point is a real file: nicgui writes .nic bytes and decodes them back; the classical codecs
go through Pillow. bpp comes from the file sizes. Curves are averaged per quality setting over
the images (mean bpp, mean PSNR / MS-SSIM), as published Kodak figures are.
"""

from __future__ import annotations

import csv
import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nicgui.codec import classic
from nicgui.codec.api import load_model
from nicgui.codec.effort import SearchOptions, Tune
from nicgui.codec.metrics import measure
from nicgui.train.bdrate import bd_rate
from nicgui.train.data import list_images, load_rgb

log = logging.getLogger(__name__)

NIC_QUALITIES = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
CLASSIC_QUALITIES = {
    "jpeg": [2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95],
    "webp": [0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95],
    "avif": [0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95],
    "jxl": [5, 10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95],
}
OURS = "nicgui"


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


@dataclass
class Point:
    image: str
    codec: str
    quality: int
    bytes: int
    bpp: float
    psnr: float
    ms_ssim: float
    ssim: float
    encode_s: float
    decode_s: float


def point(name: str, codec: str, quality: int, size: int, ref: np.ndarray, rec: np.ndarray, te: float, td: float):
    m = measure(ref, rec)
    bpp = 8.0 * size / (ref.shape[0] * ref.shape[1])
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
                p = Point(
                    r["image"],
                    r["codec"],
                    int(r["quality"]),
                    int(r["bytes"]),
                    *(float(r[k]) for k in ("bpp", "psnr", "ms_ssim", "ssim", "encode_s", "decode_s")),
                )
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


def average_curves(points: list[Point]) -> dict[str, list[dict]]:
    """codec -> list of {quality, bpp, psnr, ms_ssim, ssim, encode_s, decode_s}, sorted by bpp."""
    groups: dict[tuple[str, int], list[Point]] = {}
    for p in points:
        groups.setdefault((p.codec, p.quality), []).append(p)
    curves: dict[str, list[dict]] = {}
    for (codec, q), ps in sorted(groups.items()):
        row: dict[str, float] = {"quality": q}
        for k in ("bpp", "psnr", "ms_ssim", "ssim", "encode_s", "decode_s"):
            row[k] = float(np.mean([getattr(p, k) for p in ps]))
        curves.setdefault(codec, []).append(row)
    for rows in curves.values():
        rows.sort(key=lambda r: r["bpp"])
    return curves


def in_range(rows: list[dict], lo: float, hi: float) -> list[dict]:
    return [r for r in rows if lo <= r["bpp"] <= hi]


def bd_table(curves: dict[str, list[dict]], bpp_range: tuple[float, float] = (0.1, 2.0)) -> dict[str, dict]:
    """BD-rate (%) of nicgui against every other codec, on PSNR and on MS-SSIM (in dB)."""
    ours = in_range(curves[OURS], *bpp_range)
    table: dict[str, dict] = {}
    for name, rows in curves.items():
        if name == OURS:
            continue
        rows = in_range(rows, 0.05, 3.0)
        entry = {}
        for metric in ("psnr", "ms_ssim"):

            def value(r: dict, metric: str = metric) -> float:
                return r[metric] if metric == "psnr" else -10 * math.log10(max(1e-12, 1 - r[metric]))

            try:
                entry[metric] = bd_rate(
                    [r["bpp"] for r in rows],
                    [value(r) for r in rows],
                    [r["bpp"] for r in ours],
                    [value(r) for r in ours],
                )
            except ValueError:
                entry[metric] = math.nan
        table[name] = entry
    return table


@dataclass
class Gap:
    """Our PSNR at one quality beside another curve's PSNR at the same bpp (interpolated on log bpp)."""

    quality: int
    bpp: float
    psnr: float
    other_psnr: float  # NaN where our bpp lies outside the other curve's range

    @property
    def gap(self) -> float:
        return self.psnr - self.other_psnr


def psnr_gaps(ours: list[dict], other: list[dict]) -> list[Gap]:
    """Where our curve stands against ``other`` at each of our qualities, in dB at equal bpp.

    BD-rate gives one number over the overlap; this says where along the curve a model leads or trails.
    """
    rows = sorted(other, key=lambda r: r["bpp"])
    log_bpp = np.log([r["bpp"] for r in rows])
    psnr = [r["psnr"] for r in rows]
    gaps = []
    for r in sorted(ours, key=lambda r: r["quality"]):
        theirs = float(np.interp(math.log(r["bpp"]), log_bpp, psnr, left=math.nan, right=math.nan))
        gaps.append(Gap(int(r["quality"]), r["bpp"], r["psnr"], theirs))
    return gaps


def compare_models(ours: list[dict], others: dict[str, list[dict]]) -> dict[str, dict]:
    """Against each compared model: BD-rate (PSNR and MS-SSIM, as against the classical codecs) and the
    per-quality PSNR gaps."""
    return {
        name: {
            "bd_rate": bd_table({OURS: ours, name: rows})[name],
            "gaps": [dict(asdict(g), gap=g.gap) for g in psnr_gaps(ours, rows)],
        }
        for name, rows in others.items()
    }


def run_evaluation(cfg: EvalConfig) -> str:
    """Evaluate; write points.csv, summary.json, bd_rate.md, rd_table.md, RD plots and, with models to compare
    with, compare.md; return the BD table."""
    from nicgui.train import report

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
