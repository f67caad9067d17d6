"""Fuzz the .nic reader: mutated files of every model family must fail cleanly, fast and small.

    python fuzz/fuzz_nic.py [-n 100000] [--seed 0] [--max-seconds 2]

Seeds are valid files written by the installed default model and by a small hyperprior made on
the spot (so both families' layouts and coders are covered). Each input is a seed mutated by one
of: truncation, bit flips, random bytes, header fields set to extremes (sizes, tile, channels,
family, version, stream lengths), stream bodies replaced by garbage; half the time the CRC is
recomputed so the defect reaches the parser and the coder. Every input is decoded as the API
does (default pixel budget). Allowed outcomes: a picture, or one of the documented errors
(``NicguiError``). Anything else, any input slower than ``--max-seconds``, or peak memory growing
by more than 200 MB after the warm-up, makes the run fail (exit code 1) with the input saved.
"""

from __future__ import annotations

import argparse
import logging
import resource
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from nicgui.codec.api import Codec, load_model
from nicgui.codec.bitstream import read_header
from nicgui.errors import NicguiError

log = logging.getLogger("fuzz")


def _hyperprior_codec() -> Codec:
    import torch

    from nicgui.codec.models import MeanScaleConfig, MeanScaleHyperprior
    from nicgui.codec.weights import load_weights, save_weights

    torch.manual_seed(0)
    model = MeanScaleHyperprior(MeanScaleConfig(name="fuzz-ms", hidden=16, latent=24, scale_hidden=8))
    with torch.no_grad():  # a non-zero hyper-latent, so its stream is exercised
        model.h_a[-1].bias.fill_(3.0)
    path = Path(tempfile.mkdtemp()) / "fuzz-ms.safetensors"
    save_weights(model, path)
    return Codec(load_weights(path), "cpu")


def seeds(codecs: list[Codec]) -> list[tuple[Codec, bytes]]:
    rng = np.random.default_rng(0)
    out = []
    for codec in codecs:
        for h, w, mode_channels, q in ((48, 64, 3, 50), (16, 16, 4, 5), (70, 33, 1, 95)):
            img = rng.integers(0, 256, (h, w, mode_channels), np.uint8)
            img = img[:, :, 0] if mode_channels == 1 else img
            out.append((codec, codec.encode(img, q)))
    return out


def _recrc(b: bytearray) -> bytes:
    struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])))
    return bytes(b)


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    b = bytearray(data)
    kind = int(rng.integers(7))
    if kind == 0:
        return bytes(b[: int(rng.integers(len(b)))])
    if kind == 1:
        for _ in range(int(rng.integers(1, 9))):
            i = int(rng.integers(len(b)))
            b[i] ^= 1 << int(rng.integers(8))
    elif kind == 2:
        i = int(rng.integers(len(b)))
        n = int(rng.integers(1, 64))
        b[i : i + n] = rng.integers(0, 256, min(n, len(b) - i), np.uint8).tobytes()
    elif kind == 3:  # extreme header fields (offsets of the fixed part and after the name)
        name_len = b[20] if len(b) > 20 else 0
        fields = [
            (8, "<B"),
            (9, "<B"),
            (10, "<B"),
            (11, "<B"),
            (12, "<I"),
            (16, "<I"),
            (37 + name_len, "<H"),
            (39 + name_len, "<H"),
            (41 + name_len, "<B"),
        ]
        off, fmt = fields[int(rng.integers(len(fields)))]
        big = {"<B": 255, "<H": 65535, "<I": 2**32 - 1}[fmt]
        value = int(rng.choice([0, 1, 2, 3, 4, 16, 63, 64, 4096, 11585, 65535, big, int(rng.integers(big + 1))]))
        if off + struct.calcsize(fmt) <= len(b):
            struct.pack_into(fmt, b, off, min(value, big))
    elif kind == 4:  # a stream length in the table
        name_len = b[20] if len(b) > 20 else 0
        off = 50 + name_len + 4 * int(rng.integers(4))
        if off + 4 <= len(b):
            struct.pack_into("<I", b, off, int(rng.choice([0, 4, 8, 1 << 20, int(rng.integers(1 << 16))])))
    elif kind == 5:  # the end of the file (payloads) replaced by garbage
        n = int(rng.integers(4, max(5, len(b) // 2)))
        b[-n - 4 : -4] = rng.integers(0, 256, n, np.uint8).tobytes()
    else:  # bytes appended or removed in the middle
        i = int(rng.integers(len(b)))
        b = (
            b[:i] + bytearray(rng.integers(0, 256, int(rng.integers(1, 9)), np.uint8).tobytes()) + b[i:]
            if rng.random() < 0.5
            else b[:i] + b[i + int(rng.integers(1, 9)) :]
        )
    if len(b) >= 8 and rng.random() < 0.5:
        return _recrc(b)
    return bytes(b)


def _codec_for(data: bytes, codecs: dict[tuple[str, bytes], Codec], fallback: Codec) -> Codec:
    try:
        h = read_header(data)[0]
    except NicguiError:
        return fallback
    return codecs.get((h.model_name, h.model_digest), fallback)


def run(n: int, seed: int, max_seconds: float, out_dir: Path) -> int:
    codecs = [load_model("theis-cae-s", device="cpu"), _hyperprior_codec()]
    by_identity = {(c.identity.name, c.identity.digest): c for c in codecs}
    pool = seeds(codecs)
    rng = np.random.default_rng(seed)
    counts = {"decoded": 0, "refused": 0}
    slowest = (0.0, b"")
    for codec, data in pool:  # warm-up: every seed decodes
        codec.decode(data)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t_start = time.perf_counter()
    for i in range(n):
        codec, data = pool[int(rng.integers(len(pool)))]
        bad = mutate(data, rng)
        t0 = time.perf_counter()
        try:
            _codec_for(bad, by_identity, codec).decode(bad)
            counts["decoded"] += 1
        except NicguiError:
            counts["refused"] += 1
        except Exception as e:  # the failure this run exists to find
            path = out_dir / f"crash-{i}.nic"
            path.write_bytes(bad)
            log.error("input %d raised %s: %s (saved to %s)", i, type(e).__name__, e, path)
            return 1
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, bad)
        if dt > max_seconds:
            path = out_dir / f"slow-{i}.nic"
            path.write_bytes(bad)
            log.error("input %d took %.2f s (saved to %s)", i, dt, path)
            return 1
        if (i + 1) % 10000 == 0:
            log.info("%d inputs, %s, %.0f s", i + 1, counts, time.perf_counter() - t_start)
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_rss
    print(
        f"{n} inputs in {time.perf_counter() - t_start:.0f} s: {counts['decoded']} decoded, "
        f"{counts['refused']} refused with a documented error, slowest {slowest[0] * 1000:.0f} ms, "
        f"peak memory growth {growth:.0f} MB"
    )
    if growth > 200:
        log.error("peak memory grew by %.0f MB", growth)
        return 1
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=100_000, help="number of inputs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=2.0, help="slowest allowed input")
    p.add_argument("--out", type=Path, default=Path("."), help="folder for inputs that fail")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("nicgui").setLevel(logging.ERROR)
    return run(a.n, a.seed, a.max_seconds, a.out)


if __name__ == "__main__":
    sys.exit(main())
