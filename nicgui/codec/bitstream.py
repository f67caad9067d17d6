"""The .nic container: header, side data, tiled latent payloads and a CRC32 (docs/FORMAT.md).

``read_nic`` validates everything it can from the bytes alone (magic, version, field ranges,
lengths, CRC, the pixel budget) before anything proportional to the image size is allocated,
and reports every problem as ``NicFormatError``. Version 2 names the model family and allows
several payload streams per tile; version 1 files (CAE only, one stream per tile) still read.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field

from nicgui.errors import NicFormatError  # noqa: F401  (re-exported: its historical home)

MAGIC = b"\x89NIC\r\n\x1a\n"
NIC_SUFFIX = ".nic"  # the file name suffix of the format
VERSION = 2  # what this program writes
READABLE_VERSIONS = (1, 2)
MODE_CODES = {"L": 0, "LA": 1, "RGB": 2, "RGBA": 3}
MODE_NAMES = {v: k for k, v in MODE_CODES.items()}
FLAG_ICC = 1
MAX_SIDE = 65535
MAX_PIXELS = 2**27  # about 134 megapixels: the format's limit
DEFAULT_PIXEL_BUDGET = 89_478_485  # what a reader decodes unless its caller allows more (Pillow's limit)
MAX_NAME = 64
MIN_TILE = 16  # latents; bounds the number of streams per pixel
DIGEST_LEN = 16
_FIXED = struct.Struct("<8sBBBBII")  # magic, version, mode, quality, flags, width, height
_AFTER_NAME_V1 = struct.Struct("<16sHHII")  # digest, channels, tile, icc length, alpha length
_AFTER_NAME_V2 = struct.Struct("<16sHHBII")  # digest, channels, tile, family, icc length, alpha length


@dataclass(frozen=True)
class FamilyLayout:
    """What the container needs to know about a model family's payloads."""

    name: str
    stride: int  # pixels per latent position
    streams: int  # payload streams per coding tile
    tile_multiple: int  # a coding tile's edge must be a multiple of this


# family code (version 2 header) -> layout; version 1 files are all family 1
FAMILIES = {1: FamilyLayout("theis-cae", 8, 1, 1), 2: FamilyLayout("mean-scale", 16, 2, 4)}
FAMILY_CODES = {f.name: code for code, f in FAMILIES.items()}
STRIDE = FAMILIES[1].stride  # the CAE's, kept for version 1 readers


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
    family: str = "theis-cae"
    version: int = VERSION

    @property
    def layout(self) -> FamilyLayout:
        return FAMILIES[FAMILY_CODES[self.family]]

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def latent_shape(self) -> tuple[int, int]:
        s = self.layout.stride
        return math.ceil(self.height / s), math.ceil(self.width / s)

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
    payloads: list[list[bytes]]  # per tile (row-major), its streams
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
    if h.family not in FAMILY_CODES:
        raise NicFormatError(f"unknown model family {h.family!r}")
    if h.version == 1 and h.family != "theis-cae":
        raise NicFormatError(".nic version 1 holds only theis-cae files")
    if not MIN_TILE <= h.tile <= 4096 or h.tile % h.layout.tile_multiple:
        raise NicFormatError(
            f"tile size {h.tile} is not allowed (a multiple of {h.layout.tile_multiple} in {MIN_TILE}..4096 latents)"
        )
    if not h.model_name or len(h.model_name.encode()) > MAX_NAME:
        raise NicFormatError("model name is empty or too long")
    if len(h.model_digest) != DIGEST_LEN:
        raise NicFormatError("model digest has the wrong length")


def write_nic(f: NicFile) -> bytes:
    """Serialise a NicFile (payload count must match the header's tile grid)."""
    h = f.header
    _check_header(h)
    if h.version != VERSION:
        raise ValueError(f"this program writes .nic version {VERSION} only")
    if len(f.payloads) != h.n_tiles or any(len(p) != h.layout.streams for p in f.payloads):
        raise ValueError(f"expected {h.layout.streams} payload streams for each of {h.n_tiles} tiles")
    has_alpha = h.mode in ("LA", "RGBA")
    if has_alpha != (f.alpha is not None):
        raise ValueError("alpha plane must be given exactly for modes LA and RGBA")
    if f.alpha is not None and len(f.alpha) != h.width * h.height:
        raise ValueError("alpha plane size does not match the image")
    alpha = zlib.compress(f.alpha, 9) if f.alpha is not None else b""
    streams = [p for tile in f.payloads for p in tile]
    icc = f.icc or b""
    name = h.model_name.encode()
    parts = [
        _FIXED.pack(MAGIC, VERSION, MODE_CODES[h.mode], h.quality, FLAG_ICC if icc else 0, h.width, h.height),
        struct.pack("<B", len(name)),
        name,
        _AFTER_NAME_V2.pack(h.model_digest, h.channels, h.tile, FAMILY_CODES[h.family], len(icc), len(alpha)),
        struct.pack(f"<{len(streams)}I", *(len(p) for p in streams)),
        icc,
        alpha,
        *streams,
    ]
    body = b"".join(parts)
    return body + struct.pack("<I", zlib.crc32(body))


def _take(data: bytes, pos: int, n: int, what: str) -> tuple[bytes, int]:
    if pos + n > len(data):
        raise NicFormatError(f"file is truncated (in the {what})")
    return data[pos : pos + n], pos + n


def read_header(data: bytes, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> tuple[NicHeader, int, int, int]:
    """Parse and check the header -> (header, icc length, alpha length, header end offset).

    ``max_pixels`` is the caller's budget: a larger image is refused before any work (None:
    the format's own limit).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected the bytes of a .nic file, got {type(data).__name__}")
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise NicFormatError("not a .nic file (wrong magic bytes)")
    raw, pos = _take(data, 0, _FIXED.size, "header")
    _, version, mode, quality, flags, width, height = _FIXED.unpack(raw)
    if version not in READABLE_VERSIONS:
        raise NicFormatError(f".nic version {version} is not supported (this program reads versions 1 and 2)")
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
    if version == 1:
        raw, pos = _take(data, pos, _AFTER_NAME_V1.size, "header")
        digest, channels, tile, icc_len, alpha_len = _AFTER_NAME_V1.unpack(raw)
        family = 1
    else:
        raw, pos = _take(data, pos, _AFTER_NAME_V2.size, "header")
        digest, channels, tile, family, icc_len, alpha_len = _AFTER_NAME_V2.unpack(raw)
        if family not in FAMILIES:
            raise NicFormatError(f"unknown model family code {family}")
    header = NicHeader(
        width, height, MODE_NAMES[mode], quality, name, digest, channels, tile, FAMILIES[family].name, version
    )
    _check_header(header)
    if max_pixels is not None and header.pixels > max_pixels:
        raise NicFormatError(
            f"image of {width}x{height} = {header.pixels} pixels is over the decoding budget of {max_pixels} "
            "pixels (raise the budget to decode it)"
        )
    if bool(flags & FLAG_ICC) != (icc_len > 0):
        raise NicFormatError("ICC flag and ICC length disagree")
    if (header.mode in ("LA", "RGBA")) != (alpha_len > 0):
        raise NicFormatError("image mode and alpha data disagree")
    return header, icc_len, alpha_len, pos


def read_nic(data: bytes, max_pixels: int | None = DEFAULT_PIXEL_BUDGET) -> NicFile:
    """Parse and fully validate a .nic file; raises NicFormatError on any defect."""
    header, icc_len, alpha_len, pos = read_header(data, max_pixels)
    data = bytes(data)
    n = header.n_tiles * header.layout.streams
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
    streams = []
    for length in lengths:
        p, pos = _take(data, pos, length, "latent payload")
        streams.append(p)
    k = header.layout.streams
    payloads = [streams[i : i + k] for i in range(0, n, k)]
    return NicFile(header, payloads, icc or None, alpha, len(data))
