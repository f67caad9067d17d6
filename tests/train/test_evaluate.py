"""Measuring one nicgui model against the curves of others (``nicgui eval --compare-with``)."""

from __future__ import annotations

import json
import math

import pytest

from nicgui.train.evaluate import OURS, compare_models, load_compared, psnr_gaps


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


def _summary(folder, model: str, curve: list[dict]) -> None:
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"model": model, "curves": {OURS: curve, "jpeg": []}}))


def test_compared_curves_are_named_for_their_models_and_two_of_one_model_are_told_apart(tmp_path):
    _summary(tmp_path / "cae", "theis-cae-s (a89886f72e41)", _curve(0))
    _summary(tmp_path / "run15", "mean-scale (e8b1adeb3392)", _curve(1))
    _summary(tmp_path / "run15-again", "mean-scale (e8b1adeb3392)", _curve(2))
    others = load_compared([tmp_path / "cae", tmp_path / "run15", tmp_path / "run15-again"])
    assert list(others) == [
        "nicgui theis-cae-s (a89886f72e41)",
        "nicgui mean-scale (e8b1adeb3392)",
        "nicgui mean-scale (e8b1adeb3392) [run15-again]",
    ]
    assert others["nicgui mean-scale (e8b1adeb3392)"][0]["psnr"] == 25 + 8 * 0.25 + 1


def test_folders_that_hold_no_nicgui_evaluation_are_refused_by_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="no summary.json in"):
        load_compared([tmp_path / "missing"])
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "summary.json").write_text("{not json")
    with pytest.raises(ValueError, match="broken.summary.json is not a readable evaluation summary"):
        load_compared([tmp_path / "broken"])
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "summary.json").write_text(json.dumps({"model": "x", "curves": {"jpeg": []}}))
    with pytest.raises(ValueError, match="has no nicgui curve"):
        load_compared([tmp_path / "other"])
    _summary(tmp_path / "empty", "theis-cae-s (a89886f72e41)", [])
    with pytest.raises(ValueError, match="has no nicgui curve"):
        load_compared([tmp_path / "empty"])
