"""The errors nicgui raises for bad input, under one base so callers can tell them from bugs.

Everything a user's input can cause (a damaged file, an unreadable picture, wrong or missing
weights, an impossible request) is a ``NicguiError``; any other exception is a bug in nicgui.
"""

from __future__ import annotations


class NicguiError(Exception):
    """Bad input or an impossible request; the message is one line meant for the user."""


class NicFormatError(NicguiError, ValueError):
    """A .nic file is malformed, damaged, too large to decode, or was made with other weights."""


class CodingError(NicguiError, ValueError):
    """A payload does not decode with the given tables (corrupt data or wrong model)."""


class PictureError(NicguiError, ValueError):
    """An image cannot be read or is not usable."""


class WeightsError(NicguiError, RuntimeError):
    """A weights file is missing, unreadable or inconsistent."""


USER_ERRORS = (NicguiError, OSError, ValueError, MemoryError)
"""What a user can cause (bad files, wrong model, full disk, a picture too big for memory): shown as one
line, never a traceback. Anything else is a bug."""
