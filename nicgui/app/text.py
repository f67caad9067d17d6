"""User-facing strings shared by the app and the command line."""

from __future__ import annotations

import re


def describe_error(error: BaseException) -> str:
    """One readable line for an error."""
    if isinstance(error, FileNotFoundError):
        return f"file not found: {error.filename or error}"
    if isinstance(error, FileExistsError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    if isinstance(error, MemoryError):
        return "not enough memory for this picture"
    # Pillow's "image file is truncated (0 bytes not processed)": the count says nothing to a user
    return _PILLOW_LEFTOVER.sub("", str(error)) or type(error).__name__


def format_bytes(n: int) -> str:
    """Human-readable size with exact bytes for small files: '950 B', '12.3 kB', '4.56 MB'."""
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    if n < 1_000_000_000:
        return f"{n / 1_000_000:.2f} MB"
    return f"{n / 1_000_000_000:.2f} GB"


_PILLOW_LEFTOVER = re.compile(r"\s*\(\d+ bytes not processed\)")


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 image', '3 images' (``words``: an irregular plural)."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def model_choice(name: str, model: str, family: str) -> str:
    """A Model menu entry: the installed name, then what it is, each said once
    ('default (mean-scale)', 'theis-cae-s', 'my-weights (theis-cae-s, theis-cae)')."""
    about = list(dict.fromkeys(x for x in (model, family) if x and x != name))
    return f"{name}  ({', '.join(about)})" if about else name


def window_title(name: str | None, quality: int | None = None, opening: bool = False) -> str:
    """'nicgui — photo.png · q75', 'nicgui — photo.png (opening…)', 'nicgui'."""
    if name is None:
        return "nicgui"
    if opening:
        return f"nicgui — {name} (opening…)"
    return f"nicgui — {name}" + (f" · q{quality}" if quality is not None else "")


CANCELLED_NOTICE = "Cancelled: move the slider or open the file again to compute it"


def waiting_title(quality: int, activity: str) -> str:
    """The reconstruction view's title while no result of this picture is on screen."""
    return f"Reconstruction q{quality} · {_waiting(activity)}"


def waiting_header(quality: int, activity: str) -> str:
    """The readouts' header while no result of this picture is on screen."""
    return f"nicgui q{quality} · {_waiting(activity)}"


def _waiting(activity: str) -> str:
    return {"cancelled": "cancelled", "working": "working…"}.get(activity, "not computed")
