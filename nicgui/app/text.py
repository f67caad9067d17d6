"""User-facing strings shared by the app and the command line."""

from __future__ import annotations


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
    return str(error) or type(error).__name__


def format_bytes(n: int) -> str:
    """Human-readable size with exact bytes for small files: '950 B', '12.3 kB', '4.56 MB'."""
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    if n < 1_000_000_000:
        return f"{n / 1_000_000:.2f} MB"
    return f"{n / 1_000_000_000:.2f} GB"
