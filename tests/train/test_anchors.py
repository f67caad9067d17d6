"""Re-targeting the quality range keeps what the model learned and extends its scales."""

from __future__ import annotations

import pytest
import torch

from nicgui.codec.models import CompressiveAutoencoder
from nicgui.codec.models.theis import SIZES as REGISTRY
from nicgui.train.anchors import parse_lambdas, retarget_anchors


def test_retarget_keeps_old_anchors_and_extends_below():
    torch.manual_seed(0)
    m = CompressiveAutoencoder(REGISTRY["theis-cae-s"])
    with torch.no_grad():
        m.entropy.scale_steps.add_(torch.randn_like(m.entropy.scale_steps) * 0.3)
    lambdas = [m.cfg.anchors[0] / 2.5, *m.cfg.anchors]
    n = retarget_anchors(m, lambdas)
    old, new = m.entropy.anchor_log_scales(), n.entropy.anchor_log_scales()
    assert n.cfg.anchors == tuple(lambdas) and new.shape[0] == old.shape[0] + 1
    assert torch.allclose(new[1:], old, atol=1e-5)
    assert torch.all(new[0] < new[1])
    x = torch.rand(1, 3, 16, 16) * 255
    assert torch.equal(n.decoder(n.encoder(x)), m.decoder(m.encoder(x)))
    assert torch.equal(n.entropy.log_sigma, m.entropy.log_sigma)


def test_parse_lambdas():
    assert parse_lambdas("0.001, 0.01") == [0.001, 0.01]
    for bad in ("a,b", "0.1,-1", "0,1"):
        with pytest.raises(ValueError):
            parse_lambdas(bad)
    with pytest.raises(ValueError, match="two distinct"):
        retarget_anchors(CompressiveAutoencoder(REGISTRY["theis-cae-s"]), [0.01, 0.01])
