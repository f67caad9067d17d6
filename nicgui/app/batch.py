"""Many files at once: where each result goes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

NIC_SUFFIX = ".nic"


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
