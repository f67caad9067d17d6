"""Many files at once: where each result goes, one file's compression, and the running totals.

The desktop app's batch dialog and ``nicgui batch`` run the same code: ``output_paths`` names the
results, ``compress_file`` does one file (any failure becomes a result, never an exception, so a
bad file cannot stop a batch), ``BatchTotals`` sums them up and ``BatchSummary``, its frozen end,
says so in one line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from nicgui.app.text import describe_error, format_bytes
from nicgui.atomic import atomic_write
from nicgui.codec.bitstream import NIC_SUFFIX
from nicgui.errors import USER_ERRORS

if TYPE_CHECKING:
    from nicgui.codec.api import Codec
    from nicgui.codec.effort import SearchOptions
    from nicgui.codec.target import Target

log = logging.getLogger(__name__)

Status = Literal["compressed", "skipped", "failed"]


def output_paths(files: Sequence[Path], out_dir: Path | None, suffix: str = NIC_SUFFIX) -> list[Path]:
    """One distinct output per input: ``NAME.nic`` beside it (or in ``out_dir``).

    Where two inputs would give the same name (``a.png`` and ``a.jpg``), each keeps its own
    suffix (``a.png.nic``, ``a.jpg.nic``); an input given twice gets a number.
    """
    plain = [(out_dir or f.parent) / (f.stem + suffix) for f in files]
    clashes = Counter(plain)
    named = [
        (out_dir or f.parent) / (f.name + suffix) if clashes[p] > 1 else p for f, p in zip(files, plain, strict=True)
    ]
    seen: Counter[Path] = Counter()
    out = []
    for p in named:
        seen[p] += 1
        out.append(p if seen[p] == 1 else p.with_name(f"{p.stem} ({seen[p]}){p.suffix}"))
    return out


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of a batch."""

    source: Path
    output: Path
    status: Status
    bytes_before: int = 0
    bytes_after: int = 0
    error: str = ""


def compress_file(
    codec: Codec,
    source: Path,
    output: Path,
    quality: int,
    overwrite: bool,
    options: SearchOptions | None = None,
    target: Target | None = None,
) -> FileResult:
    """Compress one file to ``output`` (atomically); an existing output is skipped unless ``overwrite``.

    ``options``: the encoder's search (effort, tuning); ``target``: a size or PSNR each file must
    meet instead of ``quality`` (``codec/target.py``)."""
    from nicgui.codec.pictures import load_picture
    from nicgui.codec.target import reach

    if output.exists() and not overwrite:
        return FileResult(source, output, "skipped")
    try:
        size = source.stat().st_size
        picture = load_picture(source)
        if target is not None:
            data = reach(codec, codec.analyse(picture), target, options).compressed.data
        else:
            data = codec.encode(picture, quality, options=options)
        atomic_write(output, data, overwrite)
    except FileExistsError:  # another writer took the name meanwhile
        return FileResult(source, output, "skipped")
    except USER_ERRORS as e:
        return FileResult(source, output, "failed", error=describe_error(e))
    except Exception as e:  # a bug must not stop the batch: report it and go on
        log.exception("batch: %s failed", source)
        return FileResult(source, output, "failed", error=f"internal error: {e}")
    return FileResult(source, output, "compressed", size, len(data))


@dataclass(frozen=True)
class BatchSummary:
    """A batch's totals when it ends (``BatchTotals.summary``): what the dialog and ``nicgui batch`` say."""

    job: int
    total: int
    compressed: int
    skipped: int  # the output existed and overwriting was not allowed
    failed: int
    bytes_before: int
    bytes_after: int
    cancelled: bool
    errors: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line, e.g. '3 of 4 files compressed, 1 skipped: 1.20 MB → 95.0 kB (12.6:1)'."""
        parts = [f"{self.compressed} of {self.total} files compressed"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped (the .nic exists)")
        if self.failed:
            parts.append(f"{self.failed} failed")
        text = ", ".join(parts)
        if self.compressed:
            ratio = self.bytes_before / self.bytes_after if self.bytes_after else float("inf")
            text += f": {format_bytes(self.bytes_before)} → {format_bytes(self.bytes_after)} ({ratio:.1f}:1)"
        if self.cancelled:
            text = "Cancelled. " + text
        return text


@dataclass
class BatchTotals:
    """Running totals of a batch."""

    total: int
    compressed: int = 0
    skipped: int = 0  # the output existed and overwriting was not allowed
    failed: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def done(self) -> int:
        return self.compressed + self.skipped + self.failed

    def add(self, r: FileResult) -> None:
        if r.status == "compressed":
            self.compressed += 1
            self.bytes_before += r.bytes_before
            self.bytes_after += r.bytes_after
        elif r.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            self.errors.append(f"{r.source.name}: {r.error}")

    def summary(self, job: int = 0) -> BatchSummary:
        """The totals so far, frozen (``job``: the batch they belong to)."""
        return BatchSummary(
            job, self.total, self.compressed, self.skipped, self.failed, self.bytes_before, self.bytes_after,
            self.cancelled, tuple(self.errors),
        )  # fmt: skip

    def describe(self) -> str:
        """One line, e.g. '3 of 4 files compressed, 1 skipped: 1.20 MB → 95.0 kB (12.6:1)'."""
        return self.summary().describe()
