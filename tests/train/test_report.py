"""The evaluation report: RD plots, the comparison with other nicgui models, and the evaluations it reads."""

from __future__ import annotations

import json

import pytest

from nicgui.train.rd import OURS
from nicgui.train.report import load_compared, plot_curves


def _curve(offset: float) -> list[dict]:
    return [{"bpp": b, "psnr": 25 + 8 * b + offset, "ms_ssim": 0.9} for b in (0.25, 0.5, 1.0)]


def test_the_plot_names_the_evaluated_model_beside_the_models_compared_with_it(tmp_path):
    curves = {"nicgui theis-cae-s": _curve(0.5), "jpeg": _curve(-2), OURS: _curve(0)}
    labels = plot_curves(curves, {}, tmp_path / "rd.png", "psnr", "mean-scale (e3b2b023bd97)")
    assert labels == ["nicgui theis-cae-s", "jpeg", "nicgui mean-scale (e3b2b023bd97)"]
    assert (tmp_path / "rd.png").stat().st_size > 1000


def test_the_comparison_table_shows_each_quality_and_goes_away_when_nothing_is_compared(tmp_path):
    from nicgui.train.rd import compare_models
    from nicgui.train.report import write_comparison

    theirs = [dict(r, quality=q) for q, r in zip((1, 50, 100), _curve(0), strict=True)]
    ours = [dict(r, quality=q) for q, r in zip((1, 50, 100), _curve(0.75), strict=True)]
    ours[-1]["bpp"] = 1.5  # beyond the other curve's reach
    path = tmp_path / "compare.md"
    write_comparison(path, "mean-scale (2c74d9fab7bc)", compare_models(ours, {"nicgui theis-cae-s": theirs}))
    text = path.read_text()
    assert text.startswith("# nicgui mean-scale (2c74d9fab7bc) against other nicgui models")
    assert "## nicgui theis-cae-s" in text
    assert "| 50 | 0.500 | 29.75 | 29.00 | +0.75 |" in text
    assert "| 100 | 1.500 | 33.75 |  |  |" in text and "BD-rate n/a on PSNR" in text  # 3 points are too few
    write_comparison(path, "mean-scale (2c74d9fab7bc)", {})
    assert not path.exists()


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
