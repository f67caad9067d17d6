"""Targets instead of a quality: the largest file under a size, the smallest at a PSNR."""

from __future__ import annotations

import pytest

from nicgui.codec.effort import SearchOptions
from nicgui.codec.metrics import psnr
from nicgui.codec.target import Target, reach
from nicgui.errors import NicguiError
from tests.conftest import synthetic_photo


@pytest.fixture(scope="module")
def analysis(hyper):
    return hyper.analyse(synthetic_photo(96, 128, seed=2))


def _size(hyper, analysis, quality: int) -> int:
    return len(hyper.write(analysis.picture, hyper.quantise(analysis, quality)))


def test_size_target_gives_the_largest_file_that_fits(hyper, analysis):
    limit = (_size(hyper, analysis, 40) + _size(hyper, analysis, 41)) // 2
    got = reach(hyper, analysis, Target(max_bytes=limit))
    assert got.quality == 40 and len(got.compressed.data) <= limit
    assert got.trials <= 9  # a bisection, not a sweep
    assert got.compressed.picture.rgb.shape == (96, 128, 3)  # decoded, ready to show


def test_searched_size_target_is_no_smaller_and_still_fits(hyper, analysis):
    limit = _size(hyper, analysis, 50)
    plain = reach(hyper, analysis, Target(max_bytes=limit))
    searched = reach(hyper, analysis, Target(max_bytes=limit), SearchOptions(iterations=10))
    assert 0.95 * limit <= len(searched.compressed.data) <= limit  # the budget is filled, not left over
    assert searched.quality >= plain.quality
    hyper.decode(searched.compressed.data)


def test_psnr_target_gives_the_smallest_file_that_reaches_it(hyper, analysis):
    rgb = analysis.picture.rgb
    goal = psnr(rgb, hyper.complete(analysis, hyper.quantise(analysis, 60)).picture.rgb) - 0.01
    got = reach(hyper, analysis, Target(min_psnr=goal))
    assert psnr(rgb, got.compressed.picture.rgb) >= goal
    below = hyper.complete(analysis, hyper.quantise(analysis, got.quality - 1)).picture.rgb
    assert psnr(rgb, below) < goal


def test_unreachable_targets_name_the_closest_result(hyper, analysis):
    smallest = _size(hyper, analysis, 1)
    with pytest.raises(NicguiError, match=f"smallest file \\(quality 1\\) has {smallest:,} bytes"):
        reach(hyper, analysis, Target(max_bytes=smallest - 1))
    with pytest.raises(NicguiError, match=r"cannot reach 99.00 dB: the best file \(quality 100\) reaches \d+\.\d\d dB"):
        reach(hyper, analysis, Target(min_psnr=99.0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({}, "give one target"), ({"max_bytes": 10, "min_psnr": 30.0}, "give one target"), ({"max_bytes": 0}, "positive")],
)
def test_bad_targets(kwargs, message):
    with pytest.raises(NicguiError, match=message):
        Target(**kwargs)
