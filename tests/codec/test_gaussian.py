"""codec/entropy/gaussian.py: the scale ladder's tables, Gaussian or fitted to observed residuals."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nicgui.codec.entropy.gaussian import ScaleLadder, build_ladder_tables, gaussian_bits, training_bits
from nicgui.codec.entropy.tables import ESCAPE_BITS, MAX_HALF_WIDTH

LADDER = ScaleLadder(16, 0.11, 64.0)


def _observed(spread: float, n: int = 100_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rungs, residuals, counts) for residuals of rungs 2..11 drawn with ``spread`` x their scale."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(2, 12, n)
    r = np.round(rng.normal(0.0, 1.0, n) * spread * LADDER.all_scales()[idx]).astype(np.int64)
    counts = np.zeros((LADDER.levels, 2 * MAX_HALF_WIDTH + 1))
    np.add.at(counts, (idx, r + MAX_HALF_WIDTH), 1)
    return idx, r, counts


def test_tables_fitted_to_residuals_wider_than_their_rungs_code_them_in_fewer_bits():
    gaussian = build_ladder_tables(LADDER)
    idx, r, counts = _observed(2.0)
    fitted = build_ladder_tables(LADDER, counts)
    fresh_idx, fresh_r, _ = _observed(2.0, seed=1)  # other residuals from the same distribution
    assert fitted.bits(fresh_r, fresh_idx).sum() < 0.85 * gaussian.bits(fresh_r, fresh_idx).sum()
    for k in (0, 1, 12, 15):  # rungs never observed keep their Gaussian table
        assert np.array_equal(fitted.table(k)[1], gaussian.table(k)[1])


def test_fitted_tables_of_calibrated_residuals_stay_close_to_the_gaussians():
    gaussian = build_ladder_tables(LADDER)
    idx, r, counts = _observed(1.0)
    fitted = build_ladder_tables(LADDER, counts)
    fresh_idx, fresh_r, _ = _observed(1.0, seed=1)
    assert fitted.bits(fresh_r, fresh_idx).sum() == pytest.approx(gaussian.bits(fresh_r, fresh_idx).sum(), rel=0.01)


def test_a_value_never_observed_stays_codable():
    _, _, counts = _observed(1.0)
    fitted = build_ladder_tables(LADDER, counts)
    half = int(fitted.half[2])
    assert counts[2, MAX_HALF_WIDTH + half] == 0  # the table's edge was never seen at rung 2
    assert fitted.bits(np.array([half]), 2)[0] < ESCAPE_BITS


def test_counts_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match="counts"):
        build_ladder_tables(LADDER, np.zeros((LADDER.levels, 10)))


def _learned_scale(residuals: torch.Tensor) -> float:
    """One scale for all residuals, learned by Adam on ``training_bits`` (fresh noise every step)."""
    torch.manual_seed(0)
    log_scale = torch.zeros((), requires_grad=True)
    opt = torch.optim.Adam([log_scale], lr=0.02)
    for _ in range(600):
        loss = training_bits(residuals, log_scale.exp().expand_as(residuals)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(log_scale.detach().exp())


def test_a_scale_trained_on_training_bits_is_the_one_that_codes_the_rounded_residuals_best():
    torch.manual_seed(1)
    residuals = torch.distributions.Laplace(0.0, 0.35).sample((20_000,))
    grid = torch.exp(torch.linspace(-1.5, 0.5, 401))
    coded = torch.stack([gaussian_bits(torch.round(residuals), s).mean() for s in grid])
    best = float(grid[coded.argmin()])
    # the noisy residual alone lands 6 % too wide here (0.500 against 0.470)
    assert _learned_scale(residuals) == pytest.approx(best, rel=0.01)


def test_training_bits_take_their_value_and_the_residuals_gradient_from_the_noisy_residual():
    residual = torch.tensor([0.3, -0.7, 1.4, 0.05], requires_grad=True)
    sigma = torch.tensor([0.2, 0.5, 1.0, 0.11], requires_grad=True)
    torch.manual_seed(3)
    bits = training_bits(residual, sigma)
    torch.manual_seed(3)
    noisy = residual.detach() + (torch.rand(4) - 0.5)
    assert torch.allclose(bits, gaussian_bits(noisy, sigma.detach()))
    bits.sum().backward()
    r = noisy.clone().requires_grad_(True)
    gaussian_bits(r, sigma.detach()).sum().backward()
    assert torch.allclose(residual.grad, r.grad)
    s = sigma.detach().clone().requires_grad_(True)
    gaussian_bits(torch.round(residual.detach()), s).sum().backward()
    assert torch.allclose(sigma.grad, s.grad)
