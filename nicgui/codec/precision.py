"""Which arithmetic the big transforms run in: float32, or bfloat16 where the hardware has it.

On CPUs with native bfloat16 dot products (AVX512-BF16 or AMX) the analysis and synthesis
transforms run about twice as fast in bfloat16 (measured on the 2-core CPU, Kodak 768x512:
hyperprior encode network 0.22 -> 0.11 s, decode network 0.26 -> 0.14 s; CAE 0.17 -> 0.10 s
and 0.20 -> 0.12 s). Each family keeps the layer that writes its output (latents, pixels) in
float32, where 8 bits of mantissa would show: a whole bfloat16 decoder lost 0.07 dB at 41 dB,
with the last layer in float32 0.006 dB.

What a decoder derives from a file never depends on the precision: its integer symbols and the
scale indices that pick its tables (``models/integer_net.py``), so a file written in one
precision decodes in the other, to pixels within a grey level or two. Elsewhere, and on GPUs (fast enough in
float32), ``auto`` means float32.
"""

from __future__ import annotations

import logging
import os
from enum import StrEnum
from typing import TYPE_CHECKING

from nicgui.errors import NicguiError

if TYPE_CHECKING:  # torch is imported when a device is asked about, so the CLI parses without it
    import torch

log = logging.getLogger(__name__)

ENV = "NICGUI_PRECISION"


class Precision(StrEnum):
    AUTO = "auto"
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 dot products in hardware (CPUs only; see above)."""
    if device.type != "cpu":
        return False
    import torch

    def has(probe: str) -> bool:  # torch's own CPU-feature probes (private; absent in old releases)
        return bool(getattr(torch.cpu, probe, lambda: False)())

    return has("_is_avx512_bf16_supported") or has("_is_amx_tile_supported")


def cpu_computes_bfloat16() -> bool:
    """Whether this machine's CPU has native bfloat16 (for callers that do not import torch)."""
    import torch

    return native_bfloat16(torch.device("cpu"))


def parse_precision(text: str) -> Precision:
    """A precision from its name; NicguiError naming the choices otherwise."""
    try:
        return Precision(text.strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in Precision)
        raise NicguiError(f"unknown precision {text!r} (use {names})") from None


def use_bfloat16(choice: Precision | str | None, device: torch.device) -> bool:
    """Whether transforms on ``device`` run in bfloat16, for a user's choice (None: $NICGUI_PRECISION,
    else auto). Asking for bfloat16 where the hardware lacks it works, slowly, and says so."""
    if choice is None:
        choice = os.environ.get(ENV) or Precision.AUTO
    p = parse_precision(choice)
    if p is Precision.AUTO:
        return native_bfloat16(device)
    if p is Precision.BFLOAT16 and device.type == "cpu" and not native_bfloat16(device):
        log.warning("this CPU has no bfloat16 instructions: bfloat16 transforms will run slower than float32")
    return p is Precision.BFLOAT16
