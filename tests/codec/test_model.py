"""Architecture: shapes, configuration round trips, the entropy model's quality axis."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nicgui.codec.entropy import FREQ_BITS, QUALITIES
from nicgui.codec.models import CompressiveAutoencoder, ModelConfig
from nicgui.codec.models.layers import bound, round_ste
from nicgui.codec.models.theis import SIZES as REGISTRY


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_shapes_follow_the_paper(name):
    cfg = REGISTRY[name]
    m = CompressiveAutoencoder(cfg)
    y = m.encoder(torch.rand(1, 3, 32, 48) * 255)
    assert y.shape == (1, cfg.latent, 4, 6)
    x = m.decoder(y)
    assert x.shape == (1, 3, 32, 48) and x.min() >= 0 and x.max() <= 255
    assert m.decoder(m.encoder(torch.rand(1, 3, 8, 8) * 255)).shape == (1, 3, 8, 8)


def test_paper_size_model():
    cfg = REGISTRY["theis-cae"]
    assert (cfg.enc1, cfg.hidden, cfg.latent, cfg.gsm_scales) == (64, 128, 96, 6)


def test_config_round_trip_and_unknown_keys():
    cfg = REGISTRY["theis-cae-s"]
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown"):
        ModelConfig.from_dict({**cfg.to_dict(), "bogus": 1})


def test_rounding_passes_gradients_straight_through():
    x = torch.tensor([0.2, 1.7, -2.6], requires_grad=True)
    y = round_ste(x)
    y.sum().backward()
    assert y.tolist() == [0.0, 2.0, -3.0] and x.grad.tolist() == [1.0, 1.0, 1.0]


def test_bound_lets_only_gradients_that_lead_back_into_range_through():
    x = torch.tensor([-5.0, -5.0, 2.0, 9.0, 9.0], requires_grad=True)
    y = bound(x, 0.0, 4.0)
    assert y.tolist() == [0.0, 0.0, 2.0, 4.0, 4.0]
    # descent moves x against the gradient: below the range only a negative gradient leads back
    y.backward(torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0]))
    assert x.grad is not None and x.grad.tolist() == [0.0, -1.0, 1.0, 1.0, 0.0]


def test_scales_grow_with_quality(codec):
    s = codec.model.tables.scales
    assert s.shape == (QUALITIES, codec.channels)
    assert np.all(np.diff(s, axis=0) >= 0)


def test_tables_are_normalised_integers(codec):
    t = codec.model.tables
    for q in (1, 50, 100):
        for c in (0, codec.channels - 1):
            h, f = t.table(q, c)
            assert f.dtype == np.uint32 and f.sum() == 2**FREQ_BITS and f.min() >= 1 and len(f) == 2 * h + 2


def test_entropy_model_bits_fall_as_bins_widen():
    m = CompressiveAutoencoder(REGISTRY["theis-cae-s"])
    z = torch.zeros(1, m.cfg.latent, 2, 2)
    fine = m.entropy.bits(z + 3, torch.full((1, m.cfg.latent), 2.0)).sum()
    coarse = m.entropy.bits(z + 3, torch.full((1, m.cfg.latent), 0.5)).sum()
    assert fine < coarse  # the same integer is likelier when the latent was scaled up less... per bin
