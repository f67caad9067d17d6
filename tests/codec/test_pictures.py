"""Loading pictures: sizes checked from the header, depths and colour spaces converted faithfully,
no process-wide state changed, odd files refused with one clear error."""

from __future__ import annotations

import io
import logging
import struct
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from nicgui.codec.pictures import PictureError, load_picture


def _png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **kw)
    return buf.getvalue()


def test_importing_the_codec_leaves_pillows_limits_alone():
    code = (
        "from PIL import Image; before = Image.MAX_IMAGE_PIXELS; import nicgui.codec.api, nicgui.pillow; "
        "print(before == Image.MAX_IMAGE_PIXELS)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_budget_is_checked_before_pixels_are_decoded(monkeypatch):
    data = _png(Image.new("RGB", (300, 200)))
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    with pytest.raises(PictureError, match="300x200"):
        load_picture(data, max_pixels=50_000)


def test_budget_can_be_raised_to_the_formats_limit():
    img = np.zeros((20, 30, 3), np.uint8)
    with pytest.raises(PictureError):
        load_picture(img, max_pixels=100)
    assert load_picture(img, max_pixels=None).width == 30


def test_sixteen_bit_grey_is_scaled_by_its_depth_not_its_values():
    im = Image.new("I;16", (8, 8))
    im.putdata([200] * 64)  # values <= 255, but 16-bit: 200 / 65535 of white
    pic = load_picture(_png(im))
    assert pic.mode == "L" and int(pic.rgb.max()) == 1


def test_float_grey_in_zero_to_one_is_not_black():
    im = Image.fromarray(np.full((8, 8), 0.5, np.float32))
    assert int(load_picture(im).rgb[0, 0, 0]) == 128


def test_a_profile_of_another_colour_space_is_dropped():
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    rgb = Image.new("RGB", (8, 8), (10, 200, 30))
    assert load_picture(_png(rgb, icc_profile=lab)).icc is None
    assert load_picture(_png(rgb, icc_profile=srgb)).icc == srgb


def test_cmyk_is_converted_to_rgb_without_its_profile():
    im = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # red
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95)
    pic = load_picture(buf.getvalue())
    assert pic.mode == "RGB" and pic.icc is None
    assert pic.rgb[0, 0, 0] > 200 and pic.rgb[0, 0, 1] < 60


def test_animations_say_that_only_the_first_frame_is_used(caplog):
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    with caplog.at_level(logging.WARNING):
        pic = load_picture(buf.getvalue())
    assert pic.width == 8 and "2 frames" in caplog.text and "first" in caplog.text


@pytest.mark.parametrize("error", [struct.error("unpack requires a buffer"), TypeError("bad tag"), IndexError("x")])
def test_pillow_failures_of_any_kind_are_picture_errors(monkeypatch, error):
    def boom(self):
        raise error

    data = _png(Image.new("RGB", (4, 4)))
    monkeypatch.setattr(ImageFile.ImageFile, "load", boom)
    with pytest.raises(PictureError, match="cannot read image"):
        load_picture(data)


def test_objects_that_are_no_picture_are_refused():
    with pytest.raises(PictureError, match="dict"):
        load_picture({"not": "an image"})
