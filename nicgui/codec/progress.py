"""Progress of long codec work, and cooperative cancellation between its steps.

Codec operations that run networks in tiles take an optional ``progress`` callback, called after
every step with the stage and the steps done of the total (tiles, metric strips, encoder trials).
The callback may raise ``Cancelled`` to stop the work there; the caller then gets the exception,
and nothing half-done is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from nicgui.errors import NicguiError

Progress = Callable[[str, int, int], None]  # (stage, done, total)

ENCODING = "encoding"  # the analysis transform
DECODING = "decoding"  # the synthesis transform
MEASURING = "measuring"  # the metrics (SSIM and MS-SSIM strips)
COMPARING = "comparing"  # a classical codec searching for its quality at a file size


class Cancelled(NicguiError):
    """The work was cancelled (a newer request, a closing window, a Cancel button)."""
