"""The evaluation report's RD plots."""

from __future__ import annotations

from nicgui.train.evaluate import OURS
from nicgui.train.report import plot_curves


def _curve(offset: float) -> list[dict]:
    return [{"bpp": b, "psnr": 25 + 8 * b + offset, "ms_ssim": 0.9} for b in (0.25, 0.5, 1.0)]


def test_the_plot_names_the_evaluated_model_beside_the_models_compared_with_it(tmp_path):
    curves = {"nicgui theis-cae-s": _curve(0.5), "jpeg": _curve(-2), OURS: _curve(0)}
    labels = plot_curves(curves, {}, tmp_path / "rd.png", "psnr", "mean-scale (e3b2b023bd97)")
    assert labels == ["nicgui theis-cae-s", "jpeg", "nicgui mean-scale (e3b2b023bd97)"]
    assert (tmp_path / "rd.png").stat().st_size > 1000
