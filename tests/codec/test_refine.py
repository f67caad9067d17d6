"""The per-picture search: never worse than one pass by its own measure, seeded, cancellable,
tiled for big pictures, tuned for PSNR, MS-SSIM or a region of interest."""

from __future__ import annotations

import numpy as np
import pytest

from nicgui.codec import refine
from nicgui.codec.effort import EFFORT_ITERATIONS, SearchOptions, SearchStep, Tune
from nicgui.codec.metrics import ms_ssim, mse, psnr
from nicgui.codec.progress import Cancelled
from nicgui.errors import NicguiError
from tests.conftest import synthetic_photo


@pytest.fixture(scope="module")
def small(hyper):
    return hyper.analyse(synthetic_photo(64, 96, seed=3))


def test_effort_zero_is_the_one_pass_encoder_bit_for_bit(hyper, small):
    one_pass = hyper.write(small.picture, hyper.quantise(small, 40))
    assert hyper.compress(small, 40, options=SearchOptions(0)).data == one_pass
    assert hyper.encode(small.picture, 40, effort=0) == one_pass


def test_search_lowers_the_coded_rd_cost_and_the_file_says_so(hyper, small):
    r = hyper.search(small, 40, SearchOptions(iterations=30))
    assert r.improved and r.cost < r.start_cost
    assert r.bits < r.start_bits  # at this quality the gain is mostly rate
    data = hyper.write(small.picture, r.quantised)
    one_pass = hyper.write(small.picture, hyper.quantise(small, 40))
    assert len(data) < len(one_pass)
    # the bits the search counted are the bits it saved in the file (the container's header and
    # the coder's flush aside, which are the same for both)
    saved_in_file, saved_counted = (len(one_pass) - len(data)) * 8, r.start_bits - r.bits
    assert abs(saved_in_file - saved_counted) < 0.1 * saved_counted + 64
    decoded = hyper.decode(data)  # an ordinary file
    assert np.array_equal(decoded.rgb, hyper.complete(small, r.quantised).picture.rgb)


@pytest.mark.parametrize("quality", [5, 95])
def test_search_is_never_worse_than_one_pass(hyper, small, quality):
    r = hyper.search(small, quality, SearchOptions(iterations=3))
    assert r.cost <= r.start_cost
    if not r.improved:
        assert np.array_equal(r.quantised.z, hyper.quantise(small, quality).z)


def test_the_same_seed_gives_the_same_file_and_another_seed_another(hyper, small):
    def run(seed: int) -> bytes:
        return hyper.encode(small.picture, 50, options=SearchOptions(iterations=8, seed=seed))

    a = run(0)
    assert run(0) == a
    assert run(1) != a


def test_progress_reports_every_iteration_with_figures(hyper, small):
    steps: list[SearchStep] = []
    hyper.search(small, 30, SearchOptions(iterations=6), on_step=steps.append)
    assert [s.iteration for s in steps] == [1, 2, 3, 4, 5, 6]
    assert all(s.iterations == 6 and 0 < s.bpp < 8 and 10 < s.psnr < 60 for s in steps)
    assert steps[-1].fraction == 1.0 and steps[2].seconds_left >= 0


def test_cancelling_stops_between_iterations(hyper, small):
    seen = []

    def stop(step: SearchStep) -> None:
        seen.append(step.iteration)
        if step.iteration == 3:
            raise Cancelled("stop")

    with pytest.raises(Cancelled):
        hyper.compress(small, 30, options=SearchOptions(iterations=50), on_step=stop)
    assert seen == [1, 2, 3]


def test_big_pictures_are_searched_in_windows_with_margins(hyper, monkeypatch):
    analysis = hyper.analyse(synthetic_photo(128, 192, seed=5))  # 8 x 12 latents
    monkeypatch.setattr(refine, "WINDOW", 4)
    monkeypatch.setattr(refine, "MARGIN", 4)
    steps: list[SearchStep] = []
    r = hyper.search(analysis, 40, SearchOptions(iterations=10), on_step=steps.append)
    assert {s.windows for s in steps} == {6} and {s.window for s in steps} == set(range(1, 7))
    assert r.improved and r.cost < r.start_cost
    hyper.decode(hyper.write(analysis.picture, r.quantised))


def test_a_region_of_interest_gets_more_quality_than_the_rest(hyper):
    rgb = synthetic_photo(64, 128, seed=7)
    analysis = hyper.analyse(rgb)
    roi = np.full((64, 128), 0.02, np.float32)
    roi[:, :64] = 1.0
    plain = hyper.compress(analysis, 30, options=SearchOptions(iterations=40)).picture.rgb
    weighted = hyper.compress(analysis, 30, options=SearchOptions(iterations=40, roi=roi)).picture.rgb
    assert mse(rgb[:, :64], weighted[:, :64]) < mse(rgb[:, :64], plain[:, :64])
    assert psnr(rgb[:, 64:], weighted[:, 64:]) < psnr(rgb[:, 64:], plain[:, 64:])


def test_tuning_for_ms_ssim_gives_better_ms_ssim_per_bit(hyper):
    rgb = synthetic_photo(192, 192, seed=11)
    analysis = hyper.analyse(rgb)
    by_psnr = hyper.search(analysis, 30, SearchOptions(iterations=30, tune=Tune.PSNR))
    by_ms = hyper.search(analysis, 30, SearchOptions(iterations=30, tune=Tune.MS_SSIM))
    assert by_ms.cost <= by_ms.start_cost
    a = hyper.complete(analysis, by_psnr.quantised)
    b = hyper.complete(analysis, by_ms.quantised)
    # the MS-SSIM-tuned file is at most as large and at least as good on MS-SSIM
    assert len(b.data) <= len(a.data) * 1.02
    assert ms_ssim(rgb, b.picture.rgb) >= ms_ssim(rgb, a.picture.rgb)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"effort": 10}, "effort must be an integer from 0 to 9"),
        ({"effort": -1}, "effort must be an integer from 0 to 9"),
        ({"roi": np.zeros((4, 4), np.float32), "effort": 3}, "black everywhere"),
        ({"roi": np.ones((4, 4, 3), np.float32), "effort": 3}, "grey picture"),
        ({"roi": np.ones((4, 4), np.float32), "effort": 3, "tune": Tune.MS_SSIM}, "use it with --tune psnr"),
    ],
)
def test_bad_options_are_one_line_errors(kwargs, message):
    with pytest.raises(NicguiError, match=message):
        SearchOptions(**kwargs)


def test_a_mask_of_another_size_is_refused(hyper, small):
    with pytest.raises(NicguiError, match="mask is 10x10, the picture 96x64"):
        hyper.search(small, 30, SearchOptions(3, roi=np.ones((10, 10), np.float32)))


def test_the_cae_is_searched_too(codec):
    analysis = codec.analyse(synthetic_photo(64, 96, seed=3))
    r = codec.search(analysis, 50, SearchOptions(iterations=20))
    assert r.improved and r.cost < r.start_cost
    data = codec.write(analysis.picture, r.quantised)
    assert np.array_equal(codec.decode(data).rgb, codec.complete(analysis, r.quantised).picture.rgb)


def test_effort_levels_grow():
    levels = EFFORT_ITERATIONS
    assert levels[0] == 0 and all(a < b for a, b in zip(levels, levels[1:], strict=False))


def test_ms_ssim_tuning_works_on_small_pictures(hyper):
    analysis = hyper.analyse(synthetic_photo(48, 64, seed=4))  # under the 161 pixels of five 11-tap scales
    r = hyper.search(analysis, 40, SearchOptions(iterations=5, tune=Tune.MS_SSIM))
    assert r.cost <= r.start_cost
