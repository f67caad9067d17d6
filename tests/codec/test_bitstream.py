"""The .nic container: every malformed file raises NicFormatError with a readable message."""

from __future__ import annotations

import contextlib
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nicgui.codec.bitstream import MAGIC, NicFile, NicFormatError, NicHeader, read_nic, write_nic


@pytest.fixture(scope="module")
def good(codec, photo) -> bytes:
    return codec.encode(photo, 50)


def _recrc(body: bytes) -> bytes:
    """Replace the trailing CRC so that only the crafted defect is left."""
    body = body[:-4]
    return body + struct.pack("<I", zlib.crc32(body))


def _patch(data: bytes, offset: int, fmt: str, value) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return _recrc(bytes(b))


def test_header_fields_round_trip(good):
    nic = read_nic(good)
    assert (nic.header.width, nic.header.height, nic.header.mode, nic.header.quality) == (192, 128, "RGB", 50)
    assert nic.size == len(good)
    assert len(nic.payloads) == nic.header.n_tiles


BAD_FILES = {
    "empty": lambda g: b"",
    "just magic": lambda g: MAGIC,
    "wrong magic": lambda g: b"\x89PNG\r\n\x1a\n" + g[8:],
    "future version": lambda g: _patch(g, 8, "<B", 3),
    "unknown mode": lambda g: _patch(g, 9, "<B", 9),
    "quality 0": lambda g: _patch(g, 10, "<B", 0),
    "quality 101": lambda g: _patch(g, 10, "<B", 101),
    "unknown flags": lambda g: _patch(g, 11, "<B", 0x80),
    "zero width": lambda g: _patch(g, 12, "<I", 0),
    "absurd width": lambda g: _patch(g, 12, "<I", 2**31),
    "absurd area": lambda g: _patch(_patch(g, 12, "<I", 60000), 16, "<I", 60000),
    "truncated header": lambda g: g[:20],
    "truncated payload": lambda g: g[:-10],
    "trailing bytes": lambda g: g + b"\0\0\0\0",
    "crc mismatch": lambda g: g[:-1] + bytes([g[-1] ^ 1]),
    "flipped payload bit": lambda g: g[:-20] + bytes([g[-20] ^ 0x10]) + g[-19:],
    "name not utf-8": lambda g: _patch(g, 21, "<B", 0xFF),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_raise_one_error_type(good, codec, name):
    data = BAD_FILES[name](good)
    with pytest.raises(NicFormatError) as e:
        codec.decode(data)
    msg = str(e.value)
    assert msg and "\n" not in msg and "Traceback" not in msg


def test_larger_dimensions_than_payload_are_rejected_before_decoding(good, codec):
    # valid CRC, plausible size, but the tile table no longer matches the header
    data = _patch(good, 12, "<I", 4000)
    with pytest.raises(NicFormatError, match="truncated|payload|tile"):
        codec.decode(data)


def test_wrong_model_is_named(good, codec):
    b = bytearray(good)
    name_len = b[20]
    b[21 + name_len] ^= 0xFF  # first byte of the model digest
    with pytest.raises(NicFormatError, match="made with model"):
        codec.decode(_recrc(bytes(b)))


@pytest.mark.parametrize("seed", range(5))
def test_payload_garbage_with_valid_crc_is_rejected(good, codec, seed):
    nic = read_nic(good)
    rng = np.random.default_rng(seed)
    junk = [[rng.integers(0, 256, len(p), dtype=np.uint8).tobytes() for p in tile] for tile in nic.payloads]
    data = write_nic(NicFile(nic.header, junk, nic.icc, nic.alpha))
    with pytest.raises(NicFormatError, match="corrupt|left over|too short"):  # the end marker catches it
        codec.decode(data)


def test_writer_refuses_inconsistent_input():
    h = NicHeader(8, 8, "RGB", 50, "m", b"\0" * 16, 4, 64)
    with pytest.raises(ValueError):
        write_nic(NicFile(h, []))
    with pytest.raises(ValueError):
        write_nic(NicFile(NicHeader(8, 8, "RGBA", 50, "m", b"\0" * 16, 4, 64), [b""], alpha=None))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_files_never_crash(good, codec, data):
    kind = data.draw(st.sampled_from(["flip", "truncate", "random", "splice"]))
    b = bytearray(good)
    if kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(b) - 1))
            b[i] ^= 1 << data.draw(st.integers(0, 7))
        if data.draw(st.booleans()):
            b = bytearray(_recrc(bytes(b)))  # defects behind a valid checksum
    elif kind == "truncate":
        b = b[: data.draw(st.integers(0, len(b) - 1))]
    elif kind == "random":
        b = bytearray(data.draw(st.binary(min_size=0, max_size=300)))
        if data.draw(st.booleans()):
            b = bytearray(MAGIC) + b
    else:
        i = data.draw(st.integers(8, len(b) - 5))
        b = bytearray(_recrc(bytes(b[:i] + data.draw(st.binary(max_size=40)) + b[i:])))
    try:
        pic = codec.decode(bytes(b))
    except NicFormatError as e:
        assert str(e)
    else:
        assert pic.rgb.dtype == np.uint8 and pic.width * pic.height <= 2**27


def _set_size(data: bytes, width: int, height: int, tile: int | None = None) -> bytes:
    b = bytearray(data)
    struct.pack_into("<II", b, 12, width, height)
    if tile is not None:
        name_len = b[20]
        struct.pack_into("<H", b, 39 + name_len, tile)
    return _recrc(bytes(b))


def test_the_decompression_bomb_is_refused_at_once(codec, photo):
    import resource
    import time

    small = codec.encode(np.ascontiguousarray(photo[:16, :16]), 50)  # one tile
    bomb = _set_size(small, 11585, 11585, 4096)  # still one tile: every check but the size passes
    assert len(bomb) < 300
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for budget in ({}, {"max_pixels": None}):  # the default budget, and the format's own limit
        t0 = time.perf_counter()
        with pytest.raises(NicFormatError, match="budget|too short"):
            codec.decode(bomb, **budget)
        assert time.perf_counter() - t0 < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 50_000  # kB


def test_tiny_tiles_are_refused(good, codec):
    with pytest.raises(NicFormatError, match="tile size"):
        codec.decode(_set_size(good, 192, 128, 1))


def test_over_read_of_a_stream_is_caught(good, codec):
    # a larger picture announced over the same streams: the coder would run out of data
    nic = read_nic(good)
    header = NicHeader(**{**nic.header.__dict__, "width": 192, "height": 129})
    with pytest.raises((NicFormatError, ValueError)):
        codec.decode(write_nic(NicFile(header, nic.payloads + nic.payloads[:2], nic.icc, nic.alpha)))


def test_decode_of_a_path_says_to_pass_bytes(codec, tmp_path):
    with pytest.raises(TypeError, match="bytes"):
        codec.decode(tmp_path / "x.nic")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_version_2_files_fail_cleanly(good, codec, data):
    b = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(b) - 1))
        b[i] = data.draw(st.integers(0, 255))
    mutated = _recrc(bytes(b)) if data.draw(st.booleans()) else bytes(b)
    with contextlib.suppress(NicFormatError):
        codec.decode(mutated)
