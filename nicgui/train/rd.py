"""The rate-distortion vocabulary: points, averaged curves, BD-rate and PSNR gaps between curves.

``evaluate.py`` measures points, ``report.py`` writes them; both speak this module's terms, so
neither imports the other for them. A curve is a list of rows (``{quality, bpp, psnr, ms_ssim, ...}``,
as in summary.json), sorted by bpp.

BD-rate is the Bjøntegaard delta rate (VCEG-M33): fit log(rate) as a cubic polynomial of the
quality metric for each curve, integrate both over the overlapping quality interval, and report
exp(mean difference) - 1. Negative means the test codec needs fewer bits than the anchor.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

OURS = "nicgui"  # the name of nicgui's curve among the codecs

Row = dict[str, Any]  # one point of a curve: quality, bpp, psnr, ms_ssim, ssim, encode_s, decode_s
Curves = dict[str, list[Row]]  # codec -> its curve


@dataclass
class Point:
    """One image at one codec and quality: a real file's size and its measured quality."""

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

    @classmethod
    def from_row(cls, r: dict[str, str]) -> Point:
        """A point from a row of points.csv (as ``csv.DictReader`` gives it)."""
        return cls(
            r["image"],
            r["codec"],
            int(r["quality"]),
            int(r["bytes"]),
            *(float(r[k]) for k in ("bpp", "psnr", "ms_ssim", "ssim", "encode_s", "decode_s")),
        )


def average_curves(points: list[Point]) -> Curves:
    """codec -> list of {quality, bpp, psnr, ms_ssim, ssim, encode_s, decode_s}, sorted by bpp."""
    groups: dict[tuple[str, int], list[Point]] = {}
    for p in points:
        groups.setdefault((p.codec, p.quality), []).append(p)
    curves: Curves = {}
    for (codec, q), ps in sorted(groups.items()):
        row: Row = {"quality": q}
        for k in ("bpp", "psnr", "ms_ssim", "ssim", "encode_s", "decode_s"):
            row[k] = float(np.mean([getattr(p, k) for p in ps]))
        curves.setdefault(codec, []).append(row)
    for rows in curves.values():
        rows.sort(key=lambda r: r["bpp"])
    return curves


def in_range(rows: list[Row], lo: float, hi: float) -> list[Row]:
    return [r for r in rows if lo <= r["bpp"] <= hi]


def bd_rate(anchor_rate, anchor_metric, test_rate, test_metric) -> float:
    """BD-rate of ``test`` against ``anchor`` in percent (NaN if the curves do not overlap)."""
    r1, m1 = _clean(anchor_rate, anchor_metric)
    r2, m2 = _clean(test_rate, test_metric)
    if min(len(np.unique(m1.round(3))), len(np.unique(m2.round(3)))) < 4:
        raise ValueError("BD-rate needs at least 4 points of distinct quality on each curve")
    lo, hi = max(m1.min(), m2.min()), min(m1.max(), m2.max())
    if hi <= lo:
        return math.nan
    centre = (lo + hi) / 2  # cubics in (metric - centre): the same fit, better conditioned than in raw dB
    m1, m2, lo, hi = m1 - centre, m2 - centre, lo - centre, hi - centre
    p1 = np.polyfit(m1, np.log(r1), 3)
    p2 = np.polyfit(m2, np.log(r2), 3)
    i1 = np.polyval(np.polyint(p1), hi) - np.polyval(np.polyint(p1), lo)
    i2 = np.polyval(np.polyint(p2), hi) - np.polyval(np.polyint(p2), lo)
    return float((math.exp((i2 - i1) / (hi - lo)) - 1) * 100)


def _clean(rate, metric) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(rate, np.float64)
    m = np.asarray(metric, np.float64)
    ok = np.isfinite(r) & np.isfinite(m) & (r > 0)
    order = np.argsort(m[ok])
    return r[ok][order], m[ok][order]


def bd_table(curves: Curves, bpp_range: tuple[float, float] = (0.1, 2.0)) -> dict[str, dict[str, float]]:
    """BD-rate (%) of nicgui against every other codec, on PSNR and on MS-SSIM (in dB)."""
    ours = in_range(curves[OURS], *bpp_range)
    table: dict[str, dict[str, float]] = {}
    for name, rows in curves.items():
        if name == OURS:
            continue
        rows = in_range(rows, 0.05, 3.0)
        entry = {}
        for metric in ("psnr", "ms_ssim"):

            def value(r: Row, metric: str = metric) -> float:
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


def psnr_gaps(ours: list[Row], other: list[Row]) -> list[Gap]:
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


def compare_models(ours: list[Row], others: Curves) -> dict[str, dict[str, Any]]:
    """Against each compared model: BD-rate (PSNR and MS-SSIM, as against the classical codecs) and the
    per-quality PSNR gaps."""
    return {
        name: {
            "bd_rate": bd_table({OURS: ours, name: rows})[name],
            "gaps": [dict(asdict(g), gap=g.gap) for g in psnr_gaps(ours, rows)],
        }
        for name, rows in others.items()
    }
