"""The .nic container: header, side data, tiled latent payloads and a CRC32 (docs/FORMAT.md).

``read_nic`` validates everything it can from the bytes alone (magic, version, field ranges,
lengths, CRC) before anything proportional to the image size is allocated, and reports every
problem as ``NicFormatError``.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field

MAGIC = b"\x89NIC\r\n\x1a\n"
VERSION = 1
MODE_CODES = {"L": 0, "LA": 1, "RGB": 2, "RGBA": 3}
MODE_NAMES = {v: k for k, v in MODE_CODES.items()}
FLAG_ICC = 1
MAX_SIDE = 65535
MAX_PIXELS = 2**27  # about 134 megapixels
MAX_NAME = 64
STRIDE = 8
DIGEST_LEN = 16
_FIXED = struct.Struct("<8sBBBBII")  # magic, version, mode, quality, flags, width, height
_AFTER_NAME = struct.Struct("<16sHHII")  # digest, channels, tile, icc length, alpha length


class NicFormatError(ValueError):
    """A .nic file is malformed, damaged, or was made with other weights."""


@dataclass(frozen=True)
class NicHeader:
    width: int
    height: int
    mode: str
    quality: int
    model_name: str
    model_digest: bytes
    channels: int
    tile: int  # tile edge in latents

    @property
    def latent_shape(self) -> tuple[int, int]:
        return math.ceil(self.height / STRIDE), math.ceil(self.width / STRIDE)

    @property
    def tile_grid(self) -> tuple[int, int]:
        lh, lw = self.latent_shape
        return math.ceil(lh / self.tile), math.ceil(lw / self.tile)

    @property
    def n_tiles(self) -> int:
        ty, tx = self.tile_grid
        return ty * tx


@dataclass
class NicFile:
    header: NicHeader
    payloads: list[bytes]
    icc: bytes | None = None
    alpha: bytes | None = None  # the raw (H, W) alpha plane, uncompressed
    size: int = field(default=0)  # bytes in the file


def _check_header(h: NicHeader) -> None:
    if not (1 <= h.width <= MAX_SIDE and 1 <= h.height <= MAX_SIDE):
        raise NicFormatError(f"image size {h.width}x{h.height} is outside 1..{MAX_SIDE} per side")
    if h.width * h.height > MAX_PIXELS:
        raise NicFormatError(f"image size {h.width}x{h.height} exceeds {MAX_PIXELS} pixels")
    if h.mode not in MODE_CODES:
        raise NicFormatError(f"unknown image mode {h.mode!r}")
    if not 1 <= h.quality <= 100:
        raise NicFormatError(f"quality {h.quality} is outside 1..100")
    if not 1 <= h.channels <= 4096:
        raise NicFormatError(f"latent channel count {h.channels} is not plausible")
    if not 1 <= h.tile <= 4096:
        raise NicFormatError(f"tile size {h.tile} is outside 1..4096 latents")
    if not h.model_name or len(h.model_name.encode()) > MAX_NAME:
        raise NicFormatError("model name is empty or too long")
    if len(h.model_digest) != DIGEST_LEN:
        raise NicFormatError("model digest has the wrong length")


def write_nic(f: NicFile) -> bytes:
    """Serialise a NicFile (payload count must match the header's tile grid)."""
    h = f.header
    _check_header(h)
    if len(f.payloads) != h.n_tiles:
        raise ValueError(f"{len(f.payloads)} payloads for {h.n_tiles} tiles")
    has_alpha = h.mode in ("LA", "RGBA")
    if has_alpha != (f.alpha is not None):
        raise ValueError("alpha plane must be given exactly for modes LA and RGBA")
    if f.alpha is not None and len(f.alpha) != h.width * h.height:
        raise ValueError("alpha plane size does not match the image")
    alpha = zlib.compress(f.alpha, 9) if f.alpha is not None else b""
    icc = f.icc or b""
    name = h.model_name.encode()
    parts = [
        _FIXED.pack(MAGIC, VERSION, MODE_CODES[h.mode], h.quality, FLAG_ICC if icc else 0, h.width, h.height),
        struct.pack("<B", len(name)),
        name,
        _AFTER_NAME.pack(h.model_digest, h.channels, h.tile, len(icc), len(alpha)),
        struct.pack(f"<{len(f.payloads)}I", *(len(p) for p in f.payloads)),
        icc,
        alpha,
        *f.payloads,
    ]
    body = b"".join(parts)
    return body + struct.pack("<I", zlib.crc32(body))


def _take(data: bytes, pos: int, n: int, what: str) -> tuple[bytes, int]:
    if pos + n > len(data):
        raise NicFormatError(f"file is truncated (in the {what})")
    return data[pos : pos + n], pos + n


def read_header(data: bytes) -> tuple[NicHeader, int, int, int]:
    """Parse and check the header -> (header, icc length, alpha length, header end offset)."""
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise NicFormatError("not a .nic file (wrong magic bytes)")
    raw, pos = _take(data, 0, _FIXED.size, "header")
    _, version, mode, quality, flags, width, height = _FIXED.unpack(raw)
    if version != VERSION:
        raise NicFormatError(f".nic version {version} is not supported (this program reads version {VERSION})")
    if mode not in MODE_NAMES:
        raise NicFormatError(f"unknown image mode code {mode}")
    if flags & ~FLAG_ICC:
        raise NicFormatError(f"unknown header flags {flags:#04x}")
    raw, pos = _take(data, pos, 1, "header")
    raw, pos = _take(data, pos, raw[0], "model name")
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NicFormatError("model name is not valid UTF-8") from e
    raw, pos = _take(data, pos, _AFTER_NAME.size, "header")
    digest, channels, tile, icc_len, alpha_len = _AFTER_NAME.unpack(raw)
    header = NicHeader(width, height, MODE_NAMES[mode], quality, name, digest, channels, tile)
    _check_header(header)
    if bool(flags & FLAG_ICC) != (icc_len > 0):
        raise NicFormatError("ICC flag and ICC length disagree")
    if (header.mode in ("LA", "RGBA")) != (alpha_len > 0):
        raise NicFormatError("image mode and alpha data disagree")
    return header, icc_len, alpha_len, pos


def read_nic(data: bytes) -> NicFile:
    """Parse and fully validate a .nic file; raises NicFormatError on any defect."""
    data = bytes(data)
    header, icc_len, alpha_len, pos = read_header(data)
    n = header.n_tiles
    raw, pos = _take(data, pos, 4 * n, "payload table")
    lengths = struct.unpack(f"<{n}I", raw)
    if any(length == 0 or length % 4 for length in lengths):
        raise NicFormatError("a latent payload length is not a positive multiple of 4 bytes")
    expected = pos + icc_len + alpha_len + sum(lengths) + 4
    if len(data) < expected:
        raise NicFormatError(f"file is truncated: {len(data)} bytes, header announces {expected}")
    if len(data) > expected:
        raise NicFormatError(f"file has {len(data) - expected} unexpected trailing bytes")
    (crc,) = struct.unpack("<I", data[-4:])
    if zlib.crc32(data[:-4]) != crc:
        raise NicFormatError("checksum mismatch: the file is damaged")
    icc, pos = _take(data, pos, icc_len, "ICC profile")
    alpha_z, pos = _take(data, pos, alpha_len, "alpha plane")
    alpha = None
    if alpha_len:
        plane = header.width * header.height
        d = zlib.decompressobj()
        try:
            alpha = d.decompress(alpha_z, plane + 1)
        except zlib.error as e:
            raise NicFormatError(f"alpha plane is corrupt: {e}") from e
        if len(alpha) != plane or not d.eof or d.unused_data:
            raise NicFormatError("alpha plane has the wrong size")
    payloads = []
    for length in lengths:
        p, pos = _take(data, pos, length, "latent payload")
        payloads.append(p)
    return NicFile(header, payloads, icc or None, alpha, len(data))
