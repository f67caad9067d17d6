"""The hyperprior's scale network, computed in exact integer arithmetic.

Which table codes a latent element is decided by its *scale index*. If the encoder and the
decoder computed a different index for even one element, the file would not decode; floating
point gives no such guarantee across CPUs, GPUs, thread counts or library builds (CompressAI
issues #279, #340). So the path from the decoded hyper-latent to the indices is an integer
network (after Ballé, Johnston & Minnen 2019, "Integer networks for data compression with
latent-variable models"):

- weights are integers ``W = round(w * 2**W_FRAC)``, activations integers in ``0..ACT_MAX``
  standing for ``a / 2**ACT_FRAC`` (a bounded ReLU on a fixed grid);
- each layer is ``acc = conv(a, W) + B`` followed by a rounding right shift and a clamp;
- every value is an integer far below 2**53 (checked when the weights are loaded), so the
  convolutions are computed in float64 *exactly*: sums of such integers have no rounding
  error in any order, on any BLAS, with any number of threads.

Training runs the same network in float32 with rounding and clamping simulated
(straight-through), so what is learned is what the integer network computes.

Layers: 3x3 conv to 4x channels + pixel shuffle (hyper-latent grid -> 2x), the same again
(-> 4x, the latent grid), then a 1x1 conv to one index per latent channel.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nicgui.codec.models.layers import bound, round_ste

W_FRAC = 12  # fraction bits of the integer weights
ACT_FRAC = 4  # fraction bits of the integer activations
ACT_MAX = 4095  # activations are 0..ACT_MAX (a bounded ReLU up to ~256)
INPUT_MAX = 1023  # hyper-latent values are clipped to +-INPUT_MAX on the way in
EXACT_LIMIT = 2**52  # every accumulator must stay below this for float64 to be exact
_LAYERS = ("up1", "up2", "out")


class ScaleIndexNet(nn.Module):
    """Hyper-latent (B, N, hz, wz) -> scale index per latent element (B, M, 4hz, 4wz)."""

    def __init__(self, n_in: int, hidden: int, n_out: int, levels: int) -> None:
        super().__init__()
        self.levels = levels
        self.up1 = nn.Conv2d(n_in, 4 * hidden, 3, padding=1)
        self.up2 = nn.Conv2d(hidden, 4 * hidden, 3, padding=1)
        self.out = nn.Conv2d(hidden, n_out, 1)
        assert self.out.bias is not None
        with torch.no_grad():
            self.out.bias.fill_(levels / 2)

    # -- training: the integer network simulated in floating point ---------------------------
    @staticmethod
    def _weights(layer: nn.Conv2d) -> tuple[torch.Tensor, torch.Tensor]:
        assert layer.bias is not None
        return round_ste(layer.weight * 2**W_FRAC) / 2**W_FRAC, layer.bias

    def _conv(self, layer: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
        w, b = self._weights(layer)
        return F.conv2d(x, w, b, padding=layer.padding)

    @staticmethod
    def _act(x: torch.Tensor) -> torch.Tensor:
        q = round_ste(x * 2**ACT_FRAC)
        return q.clamp(0, ACT_MAX) / 2**ACT_FRAC

    def forward(self, z_hat: torch.Tensor) -> torch.Tensor:
        """Scale indices as floats (for training): rounded straight-through, bounded to the ladder."""
        a = z_hat.clamp(-INPUT_MAX, INPUT_MAX)
        a = self._act(F.pixel_shuffle(self._conv(self.up1, a), 2))
        a = self._act(F.pixel_shuffle(self._conv(self.up2, a), 2))
        return bound(round_ste(self._conv(self.out, a)), 0, self.levels - 1)

    # -- export: the integer weights -------------------------------------------------------
    @torch.no_grad()
    def integer_arrays(self) -> dict[str, np.ndarray]:
        """Integer weights and biases of the three layers (biases at their accumulator's scale)."""
        out: dict[str, np.ndarray] = {}
        in_frac = {"up1": 0, "up2": ACT_FRAC, "out": ACT_FRAC}
        for name in _LAYERS:
            layer: nn.Conv2d = getattr(self, name)
            assert layer.bias is not None
            w = torch.round(layer.weight.double() * 2**W_FRAC)
            b = torch.round(layer.bias.double() * 2 ** (W_FRAC + in_frac[name]))
            out[f"{name}.weight"] = w.numpy().astype(np.int32)
            out[f"{name}.bias"] = b.numpy().astype(np.int64)
        check_exact(out)
        return out


def check_exact(arrays: dict[str, np.ndarray]) -> None:
    """Raise ValueError unless every accumulator of the network stays below EXACT_LIMIT."""
    in_max = {"up1": INPUT_MAX, "up2": ACT_MAX, "out": ACT_MAX}
    for name in _LAYERS:
        w, b = arrays[f"{name}.weight"], arrays[f"{name}.bias"]
        if w.ndim != 4 or b.shape != (w.shape[0],):
            raise ValueError(f"scale network layer {name} has malformed weights")
        reach = np.abs(w.astype(np.float64)).reshape(w.shape[0], -1).sum(1) * in_max[name] + np.abs(b)
        if not np.all(reach < EXACT_LIMIT):
            raise ValueError(f"scale network layer {name} could exceed exact float64 integers")


def _shift_round(acc: torch.Tensor, shift: int) -> torch.Tensor:
    """floor(acc / 2**shift + 1/2) of integer-valued float64: exact (a power-of-two division)."""
    return torch.floor((acc + 2 ** (shift - 1)) / 2**shift)


def scale_indices(arrays: dict[str, np.ndarray], hyper: np.ndarray, levels: int) -> np.ndarray:
    """The integer network on a hyper-latent (N, hz, wz) int -> (M, 4hz, 4wz) uint8 indices.

    Runs on the CPU in float64 with integer values only; the result is the same bit for bit on
    every machine. ``arrays`` are the stored integer weights (checked with ``check_exact``).
    """
    t = {k: torch.from_numpy(v.astype(np.float64)) for k, v in arrays.items()}
    with torch.inference_mode():
        a = torch.from_numpy(np.clip(hyper, -INPUT_MAX, INPUT_MAX).astype(np.float64))[None]
        acc = F.conv2d(a, t["up1.weight"], t["up1.bias"], padding=1)
        a = _shift_round(F.pixel_shuffle(acc, 2), W_FRAC - ACT_FRAC).clamp_(0, ACT_MAX)
        acc = F.conv2d(a, t["up2.weight"], t["up2.bias"], padding=1)
        a = _shift_round(F.pixel_shuffle(acc, 2), W_FRAC).clamp_(0, ACT_MAX)
        acc = F.conv2d(a, t["out.weight"], t["out.bias"])
        idx = _shift_round(acc, W_FRAC + ACT_FRAC).clamp_(0, levels - 1)
    return idx[0].numpy().astype(np.uint8)
