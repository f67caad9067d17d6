"""Progress of long codec work, and cooperative cancellation between its steps.

Codec operations that run networks in tiles take an optional ``progress`` callback, called after
every tile with the stage and the tiles done of the total. The callback may raise ``Cancelled``
to stop the work there; the caller then gets the exception, and nothing half-done is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from nicgui.errors import NicguiError

Progress = Callable[[str, int, int], None]  # (stage, done, total)

ENCODING = "encoding"  # the analysis transform
DECODING = "decoding"  # the synthesis transform


class Cancelled(NicguiError):
    """The work was cancelled (a newer request, a closing window, a Cancel button)."""
