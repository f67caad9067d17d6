"""codec/entropy/calibration.py: a calibrated ladder is recognised, scales too small are caught."""

from __future__ import annotations

import numpy as np
import pytest

from nicgui.codec.entropy.calibration import combine, scale_calibration
from nicgui.codec.entropy.gaussian import ScaleLadder, build_ladder_tables

LADDER = ScaleLadder(16, 0.11, 64.0)


@pytest.fixture(scope="module")
def tables():
    return build_ladder_tables(LADDER)


def _residuals(spread: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Residuals of rungs 2..13 drawn as round(N(0, spread * scale)): exactly each rung's
    distribution when spread is 1."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(2, 14, size=(8, 64, 64)).astype(np.uint8)
    r = np.round(rng.normal(0.0, 1.0, idx.shape) * spread * LADDER.all_scales()[idx]).astype(np.int32)
    return r, idx


def test_residuals_drawn_from_their_rungs_are_calibrated(tables):
    r, idx = _residuals(1.0)
    cal = scale_calibration(r, idx, LADDER.all_scales(), tables)
    assert cal.best_shift == 0 and abs(cal.overhead) < 0.01
    assert cal.bits == pytest.approx(float(tables.bits(r, idx).sum()))
    assert [f.rung for f in cal.rungs] == list(range(2, 14)) and sum(f.count for f in cal.rungs) == r.size
    big = cal.rungs[-1]  # round(N(0, s)) has an RMS of about sqrt(s^2 + 1/12)
    assert big.rms == pytest.approx(np.sqrt(big.scale**2 + 1 / 12), rel=0.05)


def test_scales_too_small_show_as_overhead_and_a_positive_best_shift(tables):
    r, idx = _residuals(2.0)
    cal = scale_calibration(r, idx, LADDER.all_scales(), tables)
    rungs_per_doubling = np.log(2.0) / LADDER.step  # about 1.5 here
    assert cal.overhead > 0.1 and 1 <= cal.best_shift <= round(rungs_per_doubling) + 1
    assert cal.bits_by_shift[cal.best_shift] < cal.bits_by_shift[0]
    assert all(f.rms > 1.5 * f.scale for f in cal.rungs if f.scale > 1)


def test_bad_arguments_are_refused(tables):
    r, idx = _residuals(1.0)
    with pytest.raises(ValueError, match="shape"):
        scale_calibration(r[:, :10], idx, LADDER.all_scales(), tables)
    with pytest.raises(ValueError, match="number"):
        scale_calibration(r, idx, LADDER.all_scales()[:5], tables)
    with pytest.raises(ValueError, match="include 0"):
        scale_calibration(r, idx, LADDER.all_scales(), tables, shifts=range(1, 3))


def test_calibrations_of_parts_combine_into_the_whole(tables):
    r, idx = _residuals(2.0)
    scales = LADDER.all_scales()
    whole = scale_calibration(r, idx, scales, tables)
    both = combine(
        [scale_calibration(r[:4], idx[:4], scales, tables), scale_calibration(r[4:], idx[4:], scales, tables)]
    )
    assert both.bits == pytest.approx(whole.bits) and both.best_shift == whole.best_shift
    assert all(both.bits_by_shift[k] == pytest.approx(v) for k, v in whole.bits_by_shift.items())
    for a, b in zip(both.rungs, whole.rungs, strict=True):
        assert (a.rung, a.count) == (b.rung, b.count)
        assert a.rms == pytest.approx(b.rms) and a.bits == pytest.approx(b.bits, rel=1e-5)
    with pytest.raises(ValueError, match="nothing"):
        combine([])
