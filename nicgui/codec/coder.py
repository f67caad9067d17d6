"""Entropy coding of integer latents with constriction's ANS coder and the stored tables.

Each channel of a tile is coded with one categorical model (the channel's integer table at the
chosen quality), the whole channel in one vectorised call. A table covers ``-h .. h`` plus an
escape symbol; an escaped value is then written in full as two 16-bit uniform symbols (its
zig-zag code), so any int32 latent survives, however far in the tail.
"""

from __future__ import annotations

from functools import lru_cache

import constriction
import numpy as np

from nicgui.codec.entropy import Tables

_UNIFORM = constriction.stream.model.Uniform(1 << 16)
ESCAPE_BITS = 32.0  # bits of an escaped value on top of its escape symbol


class CodingError(ValueError):
    """A payload does not decode with the given tables (corrupt data or wrong model)."""


def _zigzag(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.int64)
    return np.where(v >= 0, 2 * v, -2 * v - 1).astype(np.uint32)


def _unzigzag(u: np.ndarray) -> np.ndarray:
    u = u.astype(np.int64)
    return np.where(u % 2 == 0, u // 2, -(u + 1) // 2).astype(np.int32)


class LatentCoder:
    """Codes (M, h, w) int32 latents at one quality; models are built once and reused."""

    def __init__(self, tables: Tables, quality: int) -> None:
        self.tables = tables
        self.quality = quality
        self.half: list[int] = []
        self.models = []
        for c in range(tables.channels):
            h, freqs = tables.table(quality, c)
            self.half.append(h)
            self.models.append(constriction.stream.model.Categorical(freqs.astype(np.float64), perfect=False))

    def encode(self, z: np.ndarray) -> bytes:
        if z.ndim != 3 or z.shape[0] != len(self.models):
            raise ValueError(f"expected latents of shape ({len(self.models)}, h, w), got {z.shape}")
        coder = constriction.stream.stack.AnsCoder()
        # ANS is last-in first-out: push channels backwards so they decode in order.
        for c in range(len(self.models) - 1, -1, -1):
            h = self.half[c]
            v = z[c].reshape(-1).astype(np.int64)
            esc = np.abs(v) > h
            sym = np.where(esc, 2 * h + 1, v + h).astype(np.int32)
            if esc.any():
                u = _zigzag(v[esc])
                raw = np.stack([u >> 16, u & 0xFFFF], 1).reshape(-1).astype(np.int32)
                coder.encode_reverse(raw, _UNIFORM)
            coder.encode_reverse(sym, self.models[c])
        return coder.get_compressed().tobytes()

    def decode(self, data: bytes, shape: tuple[int, int]) -> np.ndarray:
        """Inverse of encode; raises CodingError if the payload is not a complete stream."""
        if len(data) % 4:
            raise CodingError("payload length is not a whole number of 32-bit words")
        n = shape[0] * shape[1]
        out = np.empty((len(self.models), n), np.int32)
        try:
            coder = constriction.stream.stack.AnsCoder(np.frombuffer(data, np.uint32).copy())
            for c in range(len(self.models)):
                h = self.half[c]
                sym = np.asarray(coder.decode(self.models[c], n), np.int64)
                v = sym - h
                esc = sym == 2 * h + 1
                k = int(esc.sum())
                if k:
                    raw = np.asarray(coder.decode(_UNIFORM, 2 * k), np.uint32).reshape(k, 2)
                    v[esc] = _unzigzag((raw[:, 0] << 16) | raw[:, 1])
                out[c] = v
        except (ValueError, RuntimeError, AssertionError) as e:
            raise CodingError(f"latent payload is corrupt: {e}") from e
        if not coder.is_empty():
            raise CodingError("latent payload has data left over after decoding")
        return out.reshape(len(self.models), *shape)


@lru_cache(maxsize=8)
def _bits_lookup(tables: Tables, quality: int) -> list[tuple[int, np.ndarray]]:
    return [tables.bits_table(quality, c) for c in range(tables.channels)]


def estimate_bits(z: np.ndarray, tables: Tables, quality: int) -> np.ndarray:
    """Bits the coder spends on each element of z (M, h, w), from the integer tables."""
    out = np.empty(z.shape, np.float32)
    for c, (h, bits) in enumerate(_bits_lookup(tables, quality)):
        v = z[c].astype(np.int64)
        esc = np.abs(v) > h
        idx = np.where(esc, 2 * h + 1, v + h)
        out[c] = bits[idx] + np.where(esc, ESCAPE_BITS, 0.0)
    return out


def channel_probabilities(tables: Tables, quality: int, channel: int) -> tuple[np.ndarray, np.ndarray]:
    """(integer values, model probability of each) for one channel, escape mass excluded."""
    h, freqs = tables.table(quality, channel)
    p = freqs[:-1].astype(np.float64) / float(freqs.astype(np.float64).sum())
    return np.arange(-h, h + 1), p
