"""Re-target a trained model's quality range: new anchor lambdas, scales carried over.

The anchor scale vectors of the old model are interpolated (linearly in log-lambda and
log-scale) at the new lambdas, and extrapolated from the end segments beyond the old range, so
training can continue from a good starting point after the range grows (say, towards lower rates).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from nicgui.codec.models import CodecModel, CompressiveAutoencoder, ModelConfig

_MIN_STEP = 1e-3  # smallest log-scale increase between anchors (keeps scales strictly monotone)


def _interp_extrap(x_new: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Piecewise-linear y(x) at x_new, continued linearly past both ends; y is (K, M)."""
    out = np.empty((len(x_new), y.shape[1]))
    for i, v in enumerate(x_new):
        k = int(np.clip(np.searchsorted(x, v) - 1, 0, len(x) - 2))
        t = (v - x[k]) / (x[k + 1] - x[k])
        out[i] = y[k] + t * (y[k + 1] - y[k])
    return out


@torch.no_grad()
def retarget_anchors(model: CodecModel, lambdas: list[float]) -> CompressiveAutoencoder:
    """A copy of ``model`` whose anchors are ``lambdas`` (increasing), scales carried over (CAE only)."""
    if not isinstance(model, CompressiveAutoencoder):
        raise ValueError(f"re-targeting anchors is implemented for the theis-cae family, not {model.family}")
    lam = sorted(float(v) for v in lambdas)
    if len(lam) < 2 or lam != list(dict.fromkeys(lam)) or lam[0] <= 0:
        raise ValueError("need at least two distinct positive lambdas")
    old = model.entropy.anchor_log_scales().double().numpy()
    x_old = np.log(np.array(model.cfg.anchors))
    new_logs = _interp_extrap(np.log(np.array(lam)), x_old, old)
    cfg = ModelConfig.from_dict({**model.cfg.to_dict(), "anchors": lam})
    out = CompressiveAutoencoder(cfg)
    state = {
        k: v
        for k, v in model.state_dict().items()
        if not k.startswith("entropy.log_scale0") and not k.startswith("entropy.scale_steps")
    }
    out.load_state_dict(state, strict=False)
    steps = np.maximum(np.diff(new_logs, axis=0), _MIN_STEP)
    out.entropy.log_scale0.copy_(torch.from_numpy(new_logs[0]).float())
    inv_softplus = steps + np.log(-np.expm1(-steps))  # softplus^-1
    out.entropy.scale_steps.copy_(torch.from_numpy(inv_softplus).float())
    return out


def parse_lambdas(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"anchors must be comma-separated numbers, got {text!r}") from None
    if any(not math.isfinite(v) or v <= 0 for v in values):
        raise ValueError("anchor lambdas must be positive")
    return values
