"""Classical codecs through Pillow, JPEG XL included: real files, sizes that follow the quality."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from nicgui.codec import classic
from nicgui.codec.metrics import psnr


@pytest.mark.parametrize("codec", list(classic.FORMATS))
def test_every_codec_makes_real_files_that_grow_with_quality(photo, codec):
    if not classic.available(codec):
        pytest.skip(f"this Pillow build has no {codec}")
    low, high = classic.compress(photo, codec, 20), classic.compress(photo, codec, 90)
    assert low.size < high.size and low.rgb.shape == photo.shape
    assert psnr(photo, high.rgb) > psnr(photo, low.rgb)
    with Image.open(io.BytesIO(high.data)) as im:
        assert im.format == classic.FORMATS[codec]


def test_jpeg_xl_is_available_and_named_for_people():
    assert classic.available("jxl") and classic.NAMES["jxl"] == "JPEG XL"


def test_compress_to_size_stays_under_the_budget(photo):
    target = classic.compress(photo, "jxl", 60).size
    tries: list[tuple[str, int, int]] = []
    r = classic.compress_to_size(photo, "jxl", target, lambda *t: tries.append(t))
    assert r.size <= target and r.quality >= 55
    assert [t[1] for t in tries] == list(range(1, len(tries) + 1)) and all(t[0] == "comparing" for t in tries)
    assert len(tries) <= classic.SEARCH_TRIALS and tries[-1][2] == classic.SEARCH_TRIALS


def test_unknown_codec_is_a_clear_error(photo):
    with pytest.raises(ValueError, match="unknown codec"):
        classic.compress(photo, "bpg", 50)
