"""The Pillow plugin: Image.open reads .nic, Image.save writes it, bad files raise Pillow's usual errors."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, UnidentifiedImageError

import nicgui.pillow
from nicgui.codec.bitstream import MAGIC, read_header, read_nic
from nicgui.codec.metrics import psnr

SAMPLE = Path(__file__).parent / "data" / "sample.png"


@pytest.fixture(autouse=True)
def plugin_codec(codec):
    """The plugin shares the session's codec instead of loading its own; restored afterwards."""
    nicgui.pillow.set_codec(codec)
    yield codec
    nicgui.pillow.set_codec(None)


@pytest.fixture()
def nic_file(tmp_path, photo, codec) -> Path:
    path = tmp_path / "photo.nic"
    path.write_bytes(codec.encode(photo, 60))
    return path


def _with_crc(body: bytes) -> bytes:
    return body + struct.pack("<I", zlib.crc32(body))


def test_format_is_registered():
    assert Image.registered_extensions()[".nic"] == "NIC"
    assert Image.MIME["NIC"] == "application/x-nic"
    assert "NIC" in Image.OPEN and "NIC" in Image.SAVE


def test_open_decodes_like_the_codec(nic_file, codec):
    expected = codec.decode(nic_file.read_bytes())
    with Image.open(nic_file) as im:
        assert (im.format, im.mode, im.size) == ("NIC", "RGB", (192, 128))
        assert im.info["quality"] == 60 and im.info["model"] == codec.identity.name
        assert im.get_format_mimetype() == "application/x-nic"
        pixels = np.asarray(im)
    np.testing.assert_array_equal(pixels, expected.rgb)


def test_open_reads_from_a_file_object_without_a_name(nic_file):
    with Image.open(io.BytesIO(nic_file.read_bytes())) as im:
        im.load()
        assert im.format == "NIC" and im.size == (192, 128)


def test_open_is_lazy_and_loads_the_model_once(nic_file, codec, monkeypatch):
    import nicgui.codec.api

    calls = []

    def counting_load_model(*args, **kwargs):
        calls.append(args)
        return codec

    monkeypatch.setattr(nicgui.codec.api, "load_model", counting_load_model)
    nicgui.pillow.set_codec(None)
    with Image.open(nic_file) as im:
        assert im.size == (192, 128)
        assert calls == []  # the header alone gives size and mode
        im.load()
    with Image.open(nic_file) as im:
        im.load()
    assert len(calls) == 1


def test_import_does_not_load_torch():
    code = "import sys, nicgui.pillow; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_save_by_extension_with_quality(tmp_path, photo):
    out = tmp_path / "out.nic"
    Image.fromarray(photo).save(out, quality=50)
    data = out.read_bytes()
    assert data.startswith(MAGIC)
    assert read_header(data)[0].quality == 50
    with Image.open(out) as im:
        assert psnr(photo, np.asarray(im)) > 18


def test_save_to_a_stream_uses_quality_75_by_default(photo):
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="NIC")
    assert read_header(buf.getvalue())[0].quality == 75


def test_higher_quality_means_more_bytes(photo):
    sizes = []
    for q in (5, 95):
        buf = io.BytesIO()
        Image.fromarray(photo).save(buf, format="NIC", quality=q)
        sizes.append(len(buf.getvalue()))
    assert sizes[0] < sizes[1]


@pytest.mark.parametrize("quality", [0, 101, "high"])
def test_bad_quality_is_refused(photo, quality):
    with pytest.raises(ValueError, match="quality"):
        Image.fromarray(photo).save(io.BytesIO(), format="NIC", quality=quality)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_modes_and_alpha_round_trip(mode, photo, tmp_path):
    rgba = np.dstack([photo, np.tile(np.arange(192, dtype=np.uint8), (128, 1))])
    src = Image.fromarray(rgba, "RGBA").convert(mode)
    out = tmp_path / f"{mode}.nic"
    src.save(out)
    with Image.open(out) as im:
        assert im.mode == mode and im.size == src.size
        if "A" in mode:  # alpha is stored losslessly
            np.testing.assert_array_equal(np.asarray(im.getchannel("A")), np.asarray(src.getchannel("A")))


@pytest.mark.parametrize("size", [(1, 1), (13, 7), (8, 9)])
def test_tiny_and_odd_sizes(size, tmp_path):
    src = Image.new("RGB", size, (200, 40, 90))
    out = tmp_path / "tiny.nic"
    src.save(out)
    with Image.open(out) as im:
        assert im.size == size
        im.load()


def test_palette_image_with_transparency_keeps_alpha(tmp_path):
    src = Image.new("P", (16, 16), 1)
    src.putpalette([0, 0, 0, 255, 0, 0])
    src.info["transparency"] = 0
    src.paste(0, (0, 0, 8, 16))
    out = tmp_path / "p.nic"
    src.save(out)
    with Image.open(out) as im:
        assert im.mode == "RGBA"
        alpha = np.asarray(im.getchannel("A"))
        assert (alpha[:, :8] == 0).all() and (alpha[:, 8:] == 255).all()


def test_icc_profile_is_kept(tmp_path, photo):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = tmp_path / "icc.nic"
    Image.fromarray(photo).save(out, icc_profile=icc)
    with Image.open(out) as im:
        assert im.info["icc_profile"] == icc  # available before load(), as for PNG
        im.load()
        assert im.info["icc_profile"] == icc


def test_sample_png_converts_through_pillow(tmp_path):
    out = tmp_path / "sample.nic"
    with Image.open(SAMPLE) as src:
        src.save(out, quality=90)
        reference = np.asarray(src.convert("RGB"))
    with Image.open(out) as im:
        assert psnr(reference, np.asarray(im.convert("RGB"))) > 18


def test_non_nic_data_is_unidentified(tmp_path):
    junk = tmp_path / "junk.nic"
    junk.write_bytes(b"definitely not an image")
    with pytest.raises(UnidentifiedImageError):
        Image.open(junk)


@pytest.mark.parametrize("data", [MAGIC, MAGIC + b"\x02", MAGIC + b"\x09" + b"\0" * 30])
def test_damaged_header_is_unidentified(tmp_path, data):
    bad = tmp_path / "bad.nic"
    bad.write_bytes(data)
    with pytest.raises(UnidentifiedImageError):
        Image.open(bad)


def test_corrupt_body_raises_oserror_on_load(nic_file):
    data = bytearray(nic_file.read_bytes())
    data[-10] ^= 0xFF  # inside the last payload: the CRC no longer matches
    nic_file.write_bytes(bytes(data))
    with Image.open(nic_file) as im:
        assert im.size == (192, 128)  # the header is intact
        with pytest.raises(OSError, match="checksum"):
            im.load()


def test_truncated_file_raises_oserror_on_load(nic_file):
    nic_file.write_bytes(nic_file.read_bytes()[:-40])
    with Image.open(nic_file) as im, pytest.raises(OSError, match="truncated"):
        im.convert("RGB")


def test_file_from_other_weights_raises_oserror(nic_file):
    data = nic_file.read_bytes()
    nic = read_nic(data)
    name = nic.header.model_name.encode()
    digest_at = 20 + 1 + len(name)  # fixed header, name length, name
    assert data[digest_at : digest_at + 16] == nic.header.model_digest
    body = data[:digest_at] + bytes(16) + data[digest_at + 16 : -4]
    nic_file.write_bytes(_with_crc(body))
    with Image.open(nic_file) as im, pytest.raises(OSError, match="model"):
        im.load()


def test_a_file_of_another_installed_model_decodes_with_that_model(tmp_path, photo, monkeypatch):
    from nicgui.codec.api import Codec
    from nicgui.codec.weights import load_weights, save_weights
    from tests.codec.test_hyperprior import _trained_a_little

    save_weights(_trained_a_little(3), tmp_path / "ms-plugin.safetensors")
    monkeypatch.setenv("NICGUI_WEIGHTS_DIR", str(tmp_path))
    other = Codec(load_weights(tmp_path / "ms-plugin.safetensors"))
    path = tmp_path / "hp.nic"
    path.write_bytes(other.encode(photo, 50))
    with Image.open(path) as im:
        assert im.info["family"] == "mean-scale"
        assert np.asarray(im.convert("RGB")).shape == photo.shape


def test_pillows_own_pixel_limit_applies(nic_file, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # the file is 192 x 128
    with pytest.raises(Image.DecompressionBombError):
        Image.open(nic_file)
