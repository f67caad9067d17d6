"""Bits per pixel: the one unit of rate everywhere (files, estimates, targets).

Light on purpose (no numpy, no torch): ``nicgui info`` reports a file's rate without loading the
networks.
"""

from __future__ import annotations


def bits_per_pixel(n_bytes: int, width: int, height: int) -> float:
    """Bits per pixel of a file of ``n_bytes`` holding a width x height image."""
    return 8.0 * n_bytes / (width * height)
