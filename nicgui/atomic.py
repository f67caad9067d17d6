"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file nicgui writes (``.nic`` and PNG outputs, weights, checkpoints, batch results) goes
through here. The data goes to a temporary file beside the target, created exclusively under an
unpredictable name (nothing planted there is followed), is flushed to disk, and is then moved
into place: with ``overwrite`` by a rename, otherwise by a hard link, which creates the name only
if it is still free, so of two writers racing for a new name exactly one wins.

Temporary files are named ``.NAME.RANDOM.nicgui-tmp``; a process killed mid-write leaves one
behind, which ``leftover_temporaries`` finds (``nicgui`` removes its own on failure).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".nicgui-tmp"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit(tmp: Path, path: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # creates the name only if it is still free
    except FileExistsError:
        raise FileExistsError(f"{path} already exists") from None
    except OSError:  # a file system without hard links: check, then rename (a small race remains)
        if path.exists():
            raise FileExistsError(f"{path} already exists") from None
        os.replace(tmp, path)


@contextlib.contextmanager
def atomic_path(path: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a fresh temporary path to write; on success it becomes ``path``.

    Raises FileExistsError at once (before any work) if ``path`` exists and ``overwrite`` is
    false, and again at the end if another writer took the name meanwhile.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666))  # mode as umask allows
    try:
        yield tmp
        _fsync(tmp)
        _commit(tmp, path, overwrite)
    finally:
        with contextlib.suppress(OSError):  # e.g. a file system that turned read-only
            tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes, overwrite: bool = False) -> int:
    """Write ``data`` to ``path`` atomically; returns the number of bytes written.

    Raises FileExistsError when ``path`` exists and ``overwrite`` is false, OSError when writing fails.
    """
    with atomic_path(path, overwrite) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | _NOFOLLOW)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    return len(data)


def leftover_temporaries(folder: Path) -> list[Path]:
    """Temporary files a killed nicgui process left in ``folder``."""
    return sorted(p for p in Path(folder).glob(f".*{TEMP_SUFFIX}") if p.is_file())
