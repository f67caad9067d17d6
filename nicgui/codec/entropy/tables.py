"""Integer frequency tables: how a probability model becomes something two machines agree on.

Every entropy model of every family ends in a ``TableSet``: a list of categorical tables, each
covering the integers ``-H .. H`` followed by one *escape* symbol (values beyond the range are
escaped and then written in full). The tables are computed once, in float64, when a model is
exported, and stored as integers in its weights file; encoder and decoder only ever read them,
so a file decodes to the same symbols on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

FREQ_BITS = 24  # each table sums to 2**FREQ_BITS
TAIL_MASS = 1e-7  # mass beyond a table's range goes to the escape symbol
MAX_HALF_WIDTH = 2047  # largest table range, |k| <= this; larger values are escaped
ESCAPE_BITS = 32.0  # bits of an escaped value on top of its escape symbol


@dataclass(frozen=True, eq=False)  # hashed by identity, for caches
class TableSet:
    """Integer tables ``0 .. n-1``: table ``i`` covers ``-half[i] .. half[i]`` plus an escape and
    lives at ``freqs[offsets[i] : offsets[i] + 2 * half[i] + 2]``."""

    half: np.ndarray  # (n,) int32
    offsets: np.ndarray  # (n,) int64
    freqs: np.ndarray  # (total,) uint32

    def __post_init__(self) -> None:
        n = len(self.half)
        if self.half.ndim != 1 or self.offsets.shape != (n,) or self.freqs.ndim != 1 or n == 0:
            raise ValueError("table arrays have inconsistent shapes")
        if self.half.min() < 0 or self.half.max() > MAX_HALF_WIDTH:
            raise ValueError("a table's half width is out of range")
        lengths = 2 * self.half.astype(np.int64) + 2
        packed = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        if not np.array_equal(self.offsets, packed) or int(lengths.sum()) != len(self.freqs):
            raise ValueError("tables are not stored one after another")
        sums = np.add.reduceat(self.freqs.astype(np.int64), packed)
        if self.freqs.min() < 1 or np.any(sums != 1 << FREQ_BITS):
            raise ValueError("a table is not a normalised integer table")

    def __len__(self) -> int:
        return len(self.half)

    def table(self, i: int) -> tuple[int, np.ndarray]:
        """(half width, frequencies with the escape last) of table ``i``."""
        if not 0 <= i < len(self.half):
            raise IndexError(f"table {i} does not exist (0..{len(self.half) - 1})")
        h = int(self.half[i])
        o = int(self.offsets[i])
        return h, self.freqs[o : o + 2 * h + 2]

    def probabilities(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(integer values, probability of each) of table ``i``, escape mass excluded."""
        h, f = self.table(i)
        return np.arange(-h, h + 1), f[:-1].astype(np.float64) / float(1 << FREQ_BITS)

    @cached_property
    def _log_bits(self) -> np.ndarray:
        return (FREQ_BITS - np.log2(self.freqs.astype(np.float64))).astype(np.float32)

    @cached_property
    def min_bits(self) -> np.ndarray:
        """(n,) the fewest bits any one symbol of each table can cost (for plausibility checks)."""
        largest = np.maximum.reduceat(self.freqs, self.offsets.astype(np.intp)).astype(np.float64)
        return FREQ_BITS - np.log2(largest)

    def bits(self, values: np.ndarray, tables: np.ndarray | int) -> np.ndarray:
        """Bits the coder spends on each value, coded with the table of the same index."""
        v = values.astype(np.int64)
        t = np.broadcast_to(np.asarray(tables, np.int64), v.shape)
        h = self.half[t].astype(np.int64)
        esc = np.abs(v) > h
        sym = np.where(esc, 2 * h + 1, v + h)
        return self._log_bits[self.offsets[t] + sym] + np.where(esc, np.float32(ESCAPE_BITS), np.float32(0))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays to store in a weights file under ``prefix``."""
        return {
            f"{prefix}.half": self.half.astype(np.int32),
            f"{prefix}.offsets": self.offsets.astype(np.int64),
            f"{prefix}.freqs": self.freqs.astype(np.uint32),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> TableSet:
        return cls(
            half=np.asarray(arrays[f"{prefix}.half"], np.int32),
            offsets=np.asarray(arrays[f"{prefix}.offsets"], np.int64),
            freqs=np.asarray(arrays[f"{prefix}.freqs"], np.uint32),
        )


def to_frequencies(p: np.ndarray, tail: float) -> np.ndarray:
    """Probabilities (float64) plus escape mass -> uint32 frequencies summing to 2**FREQ_BITS."""
    total = 1 << FREQ_BITS
    probs = np.append(p, max(tail, 1e-6))
    f = np.maximum(np.floor(probs / probs.sum() * total), 1).astype(np.int64)
    f[np.argmax(f)] += total - f.sum()
    return f.astype(np.uint32)


MassFn = Callable[[torch.Tensor], torch.Tensor]


def discretise(mass: MassFn, outside: MassFn, reach: float, min_half: int = 0) -> tuple[int, np.ndarray]:
    """One table from a distribution over the integers (float64 throughout).

    ``mass(k)`` is the probability of each integer in ``k``; ``outside(h)`` the mass of all
    integers with ``|k| > h``; ``reach`` a half width that surely holds all but a sliver. The
    table's half width is the smallest whose outside mass is below TAIL_MASS, and at least
    ``min_half``: values inside a table cost at most FREQ_BITS bits, escaped ones 20 + 32 or more,
    so a floor on the width keeps the rare outlier of a very peaked table cheap.
    """
    hi = min(max(int(np.ceil(reach)) + 1, min_half), MAX_HALF_WIDTH)
    hs = torch.arange(0, hi + 1, dtype=torch.float64)
    tails = outside(hs).clamp_min(0)
    ok = torch.nonzero(tails < TAIL_MASS)
    h = max(int(ok[0]), min(min_half, hi)) if len(ok) else hi
    k = torch.arange(-h, h + 1, dtype=torch.float64)
    return h, to_frequencies(mass(k).clamp_min(0).numpy(), float(tails[h]))


def pack(chunks: list[tuple[int, np.ndarray]]) -> TableSet:
    """A TableSet from (half width, frequencies) pairs, in order."""
    half = np.array([h for h, _ in chunks], np.int32)
    lengths = np.array([len(f) for _, f in chunks], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return TableSet(half, offsets, np.concatenate([f for _, f in chunks]).astype(np.uint32))
