"""The scale-index network: the same indices bit for bit however they are computed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nicgui.codec.entropy.gaussian import ScaleLadder, gaussian_bits
from nicgui.codec.models.integer_net import (
    ACT_FRAC,
    ACT_MAX,
    INPUT_MAX,
    W_FRAC,
    ScaleIndexNet,
    check_exact,
    scale_indices,
)

LEVELS = 64


@pytest.fixture(scope="module")
def net() -> ScaleIndexNet:
    torch.manual_seed(1)
    n = ScaleIndexNet(12, 10, 16, LEVELS)
    with torch.no_grad():  # weights of a realistic spread, so that indices cover the ladder
        n.up1.weight.mul_(4.0)
        n.up2.weight.mul_(4.0)
        n.out.weight.mul_(8.0)
        n.out.bias.fill_(LEVELS / 4)
    return n.eval()


def _hyper(seed: int, shape=(12, 7, 9), spread: float = 6.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(0, spread, shape)).astype(np.int32)


def _reference(arrays: dict[str, np.ndarray], hyper: np.ndarray) -> np.ndarray:
    """The same network in int64 numpy: another dtype and another order of summation."""

    def conv(a: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = w.shape[-1]
        p = k // 2
        padded = np.pad(a, ((0, 0), (p, p), (p, p)))
        h, wd = a.shape[1:]
        out = np.zeros((w.shape[0], h, wd), np.int64)
        for dy in reversed(range(k)):  # deliberately not the order a BLAS would take
            for dx in range(k):
                patch = padded[:, dy : dy + h, dx : dx + wd].astype(np.int64)
                out += np.einsum("oi,ihw->ohw", w[:, :, dy, dx].astype(np.int64), patch)
        return out + b.astype(np.int64)[:, None, None]

    def shuffle(a: np.ndarray) -> np.ndarray:
        c, h, w = a.shape
        return a.reshape(c // 4, 2, 2, h, w).transpose(0, 3, 1, 4, 2).reshape(c // 4, 2 * h, 2 * w)

    def shift(acc: np.ndarray, s: int) -> np.ndarray:
        return (acc + (1 << (s - 1))) >> s  # arithmetic shift: floor, like the float64 path

    a = np.clip(hyper, -INPUT_MAX, INPUT_MAX).astype(np.int64)
    a = np.clip(shift(shuffle(conv(a, arrays["up1.weight"], arrays["up1.bias"])), W_FRAC - ACT_FRAC), 0, ACT_MAX)
    a = np.clip(shift(shuffle(conv(a, arrays["up2.weight"], arrays["up2.bias"])), W_FRAC), 0, ACT_MAX)
    return np.clip(shift(conv(a, arrays["out.weight"], arrays["out.bias"]), W_FRAC + ACT_FRAC), 0, LEVELS - 1)


@pytest.mark.parametrize("seed", range(3))
def test_float64_path_equals_an_int64_reference(net, seed):
    arrays = net.integer_arrays()
    hyper = _hyper(seed, spread=[3.0, 30.0, 2000.0][seed])  # the last clips at INPUT_MAX
    idx = scale_indices(arrays, hyper, LEVELS)
    assert idx.shape == (16, 28, 36) and idx.dtype == np.uint8
    assert np.array_equal(idx, _reference(arrays, hyper))
    assert len(np.unique(idx)) > 5  # a meaningful test: many rungs in use


def test_thread_count_does_not_change_indices(net):
    arrays = net.integer_arrays()
    hyper = _hyper(7, (12, 20, 24))
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = scale_indices(arrays, hyper, LEVELS)
        torch.set_num_threads(2)
        two = scale_indices(arrays, hyper, LEVELS)
    finally:
        torch.set_num_threads(before)
    assert np.array_equal(one, two)


def test_tiles_of_the_hyper_latent_give_the_same_indices_as_the_whole(net):
    arrays = net.integer_arrays()
    hyper = _hyper(3, (12, 16, 16))
    whole = scale_indices(arrays, hyper, LEVELS)
    part = scale_indices(arrays, hyper[:, :, :10], LEVELS)  # the receptive field is 2 hyper positions
    assert np.array_equal(part[:, :, :32], whole[:, :, :32])


def test_training_simulation_agrees_with_the_integer_network(net):
    hyper = _hyper(4)
    with torch.no_grad():
        sim = net(torch.from_numpy(hyper.astype(np.float32))[None])[0].numpy()
    idx = scale_indices(net.integer_arrays(), hyper, LEVELS).astype(np.float32)
    assert np.mean(sim == idx) > 0.99 and np.abs(sim - idx).max() <= 1


def test_weights_that_could_lose_exactness_are_refused(net):
    arrays = net.integer_arrays()
    check_exact(arrays)
    bad = dict(arrays, **{"up2.weight": np.full(arrays["up2.weight"].shape, 2**40, np.int64)})
    with pytest.raises(ValueError, match="exact"):
        check_exact(bad)
    with pytest.raises(ValueError, match="malformed"):
        check_exact(dict(arrays, **{"out.bias": arrays["out.bias"][:3]}))


def test_training_finds_each_channels_scale_and_zero_residuals_do_not_pull_the_network_away():
    """Channel 0's residuals are N(0, 2), channel 1's are all zero. Zero residuals always favour a
    smaller scale: with the identity as the clamp's gradient the network's raw output for them
    ran away below the first rung (to -4,400 in these 300 steps; -25,000 in a real model), which
    left it unable to predict larger scales anywhere."""
    torch.manual_seed(0)
    ladder = ScaleLadder(LEVELS, 0.11, 256.0)
    net = ScaleIndexNet(4, 8, 2, LEVELS)
    opt = torch.optim.Adam(
        [
            {"params": [p for n, p in net.named_parameters() if not n.startswith("out.")], "lr": 1e-3},
            {"params": net.out.parameters(), "lr": 1e-3 / ladder.step},  # as MeanScaleHyperprior asks
        ]
    )
    z = torch.randint(-3, 4, (8, 4, 4, 4)).float()
    for _ in range(300):
        idx = net(z)
        r = torch.zeros_like(idx)
        r[:, 0] = torch.randn_like(r[:, 0]) * 2.0
        loss = gaussian_bits(r + torch.rand_like(r) - 0.5, ladder.scales(idx)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        best = math.log(math.sqrt(4 + 1 / 12) / 0.11) / ladder.step  # the noisy residual's std
        assert abs(net(z)[:, 0].median().item() - best) <= 2
        a = net._act(F.pixel_shuffle(net._conv(net.up1, z), 2))
        a = net._act(F.pixel_shuffle(net._conv(net.up2, a), 2))
        raw = net._conv(net.out, a)[:, 1]
        assert (net(z)[:, 1] == 0).float().mean() > 0.9 and raw.min() > -2 * LEVELS
