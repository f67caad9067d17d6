"""Measuring one nicgui model against the curves of others (``nicgui eval --compare-with``)."""

from __future__ import annotations

import math

import pytest

from nicgui.codec import classic
from nicgui.train.evaluate import CLASSIC_QUALITIES
from nicgui.train.rd import compare_models, psnr_gaps


def _curve(offset: float, rates=(0.25, 0.5, 1.0, 1.5, 2.0)) -> list[dict]:
    return [
        {"quality": 20 * i + 1, "bpp": b, "psnr": 25 + 8 * b + offset, "ms_ssim": 0.95 + 0.02 * b + offset / 100}
        for i, b in enumerate(rates)
    ]


def test_gaps_say_where_along_the_curve_a_model_leads_and_where_the_other_does_not_reach():
    theirs = _curve(0.0, rates=(0.25, 0.5, 1.0))
    ours = _curve(0.5, rates=(0.2, 0.25, 0.5, 1.0, 1.5))
    gaps = psnr_gaps(ours, theirs)
    assert [g.quality for g in gaps] == [1, 21, 41, 61, 81]
    assert math.isnan(gaps[0].gap) and math.isnan(gaps[-1].gap)  # below and above the other curve's range
    assert [round(g.gap, 6) for g in gaps[1:4]] == [0.5, 0.5, 0.5]
    # between two measured points the other curve is read on log bpp
    middle = psnr_gaps([{"quality": 50, "bpp": math.sqrt(0.5), "psnr": 30.0}], theirs)[0]
    assert middle.other_psnr == pytest.approx(25 + 8 * (0.5 + 1.0) / 2)


def test_a_model_that_needs_fewer_bits_for_the_same_psnr_has_a_negative_bd_rate_against_the_other():
    theirs = _curve(0.0)
    ours = [dict(r, bpp=r["bpp"] * 0.8) for r in theirs]
    result = compare_models(ours, {"nicgui theis-cae-s (a89886f72e41)": theirs})["nicgui theis-cae-s (a89886f72e41)"]
    assert result["bd_rate"]["psnr"] == pytest.approx(-20.0, abs=0.5)
    assert all(g["gap"] > 0 for g in result["gaps"][1:])


def test_the_evaluation_measures_every_classical_codec_the_app_compares_with():
    assert list(CLASSIC_QUALITIES) == list(classic.NAMES)  # the list of classical codecs has one home
