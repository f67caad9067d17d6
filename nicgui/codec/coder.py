"""Entropy coding of integer symbols with constriction's ANS coder and stored integer tables.

A stream is a sequence of *segments*: an array of integers coded with one table of a
``TableSet``, vectorised in one call. A table covers ``-h .. h`` plus an escape symbol; an
escaped value is then written in full as two 16-bit uniform symbols (its zig-zag code), so any
int32 value survives, however far in the tail.

Streams of ``.nic`` version 2 end with a 32-bit *end marker*: after the last segment the decoder
must read it back exactly, so a stream that was used up early (constriction keeps returning
symbols from an exhausted stream) or has garbage in it is caught, not decoded into a picture.
Version 1 streams have no marker; they are still read as they were written.
"""

from __future__ import annotations

from collections.abc import Sequence

import constriction
import numpy as np

from nicgui.codec.entropy import Tables, TableSet
from nicgui.errors import CodingError

_UNIFORM = constriction.stream.model.Uniform(1 << 16)
END_MARKER = np.array([0x4E49, 0x4332], np.int32)  # "NIC2", read back after the last segment


def _zigzag(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.int64)
    return np.where(v >= 0, 2 * v, -2 * v - 1).astype(np.uint32)


def _unzigzag(u: np.ndarray) -> np.ndarray:
    u = u.astype(np.int64)
    return np.where(u % 2 == 0, u // 2, -(u + 1) // 2).astype(np.int32)


class SegmentCoder:
    """Codes segments with the tables of one TableSet; constriction models are built once each."""

    def __init__(self, tables: TableSet, marker: bool = True) -> None:
        self.tables = tables
        self.marker = marker
        self._models: dict[int, object] = {}

    def _model(self, i: int) -> constriction.stream.model.Categorical:
        if i not in self._models:
            _, freqs = self.tables.table(i)
            self._models[i] = constriction.stream.model.Categorical(freqs.astype(np.float64), perfect=False)
        return self._models[i]

    def encode(self, segments: Sequence[tuple[np.ndarray, int]]) -> bytes:
        """(values, table index) pairs, in decoding order -> one stream."""
        coder = constriction.stream.stack.AnsCoder()
        if self.marker:
            coder.encode_reverse(END_MARKER, _UNIFORM)
        # ANS is last-in first-out: push segments backwards so they decode in order.
        for values, table in reversed(segments):
            h = int(self.tables.half[table])
            v = values.reshape(-1).astype(np.int64)
            esc = np.abs(v) > h
            sym = np.where(esc, 2 * h + 1, v + h).astype(np.int32)
            if esc.any():
                u = _zigzag(v[esc])
                raw = np.stack([u >> 16, u & 0xFFFF], 1).reshape(-1).astype(np.int32)
                coder.encode_reverse(raw, _UNIFORM)
            if len(sym):
                coder.encode_reverse(sym, self._model(table))
        return bytes(coder.get_compressed().tobytes())

    def lower_bound_bits(self, layout: Sequence[tuple[int, int]]) -> float:
        """The fewest bits a stream of this layout ((count, table) pairs) can take."""
        mins = self.tables.min_bits
        return float(sum(n * mins[t] for n, t in layout)) + (32.0 if self.marker else 0.0)

    def decode(self, data: bytes, layout: Sequence[tuple[int, int]]) -> list[np.ndarray]:
        """Inverse of ``encode`` for segments of the given (count, table) layout.

        Raises CodingError when the payload is too short to hold so many symbols, is not a
        complete stream, has data left over, or (version 2) does not end with the marker.
        """
        if len(data) % 4:
            raise CodingError("payload length is not a whole number of 32-bit words")
        # 10 % slack: constriction rounds the tables' probabilities once more internally
        if 8 * len(data) < 0.9 * self.lower_bound_bits(layout) - 64:
            raise CodingError("payload is too short for the number of values it claims to hold")
        out = []
        try:
            coder = constriction.stream.stack.AnsCoder(np.frombuffer(data, np.uint32).copy())
            for n, table in layout:
                if n == 0:
                    out.append(np.empty(0, np.int32))
                    continue
                h = int(self.tables.half[table])
                sym = np.asarray(coder.decode(self._model(table), n), np.int64)
                v = sym - h
                esc = sym == 2 * h + 1
                k = int(esc.sum())
                if k:
                    raw = np.asarray(coder.decode(_UNIFORM, 2 * k), np.uint32).reshape(k, 2)
                    v[esc] = _unzigzag((raw[:, 0] << 16) | raw[:, 1])
                out.append(v.astype(np.int32))
            if self.marker:
                end = np.asarray(coder.decode(_UNIFORM, 2), np.int32)
                if not np.array_equal(end, END_MARKER):
                    raise CodingError("latent payload is corrupt: its end marker is missing")
        except (ValueError, RuntimeError, AssertionError) as e:
            raise CodingError(f"latent payload is corrupt: {e}") from e
        if not coder.is_empty():
            raise CodingError("latent payload has data left over after decoding")
        return out


class LatentCoder:
    """The CAE's coding: (M, h, w) int32 latents at one quality, one segment per channel."""

    def __init__(self, tables: Tables, quality: int, marker: bool = True) -> None:
        self.tables = tables
        self.quality = quality
        self.indices = [tables.index(quality, c) for c in range(tables.channels)]
        self.coder = SegmentCoder(tables.tables, marker)

    def encode(self, z: np.ndarray) -> bytes:
        if z.ndim != 3 or z.shape[0] != len(self.indices):
            raise ValueError(f"expected latents of shape ({len(self.indices)}, h, w), got {z.shape}")
        return self.coder.encode([(z[c], t) for c, t in enumerate(self.indices)])

    def decode(self, data: bytes, shape: tuple[int, int]) -> np.ndarray:
        """Inverse of encode; raises CodingError if the payload is not a complete stream."""
        n = shape[0] * shape[1]
        planes = self.coder.decode(data, [(n, t) for t in self.indices])
        return np.stack(planes).reshape(len(self.indices), *shape)


def estimate_bits(z: np.ndarray, tables: Tables, quality: int) -> np.ndarray:
    """Bits the CAE's coder spends on each element of z (M, h, w), from the integer tables."""
    idx = np.array([tables.index(quality, c) for c in range(tables.channels)])
    return tables.tables.bits(z, idx[:, None, None])


def channel_probabilities(tables: Tables, quality: int, channel: int) -> tuple[np.ndarray, np.ndarray]:
    """(integer values, model probability of each) for one CAE channel, escape mass excluded."""
    return tables.tables.probabilities(tables.index(quality, channel))
