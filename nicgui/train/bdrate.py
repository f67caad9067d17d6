"""Bjøntegaard delta rate: average bitrate difference at equal quality between two RD curves.

Classic method (VCEG-M33): fit log(rate) as a cubic polynomial of the quality metric for each
curve, integrate both over the overlapping quality interval, and report exp(mean difference) - 1.
Negative means the test codec needs fewer bits than the anchor.
"""

from __future__ import annotations

import math

import numpy as np


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
