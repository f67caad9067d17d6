"""The transforms' arithmetic: bfloat16 where the CPU has it, float32 otherwise or when asked;
files written in one decode in the other to the same symbols and nearly the same pixels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nicgui.codec import precision
from nicgui.codec.api import Codec
from nicgui.codec.metrics import measure
from nicgui.codec.models import create
from nicgui.codec.precision import Precision, parse_precision, use_bfloat16
from nicgui.errors import NicguiError

CPU = torch.device("cpu")


def test_unknown_precision_names_the_choices():
    with pytest.raises(NicguiError, match="auto, float32, bfloat16"):
        parse_precision("half")
    assert parse_precision(" BFloat16 ") is Precision.BFLOAT16


@pytest.mark.parametrize("native", [True, False])
def test_auto_is_bfloat16_exactly_where_the_cpu_computes_it(monkeypatch, native):
    monkeypatch.delenv(precision.ENV, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: native)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert use_bfloat16(None, CPU) is native
    assert use_bfloat16("auto", CPU) is native
    assert use_bfloat16("float32", CPU) is False
    assert use_bfloat16("bfloat16", CPU) is True
    assert use_bfloat16("auto", torch.device("cuda")) is False  # GPUs are fast enough in float32


def test_the_environment_sets_the_default_and_a_bad_value_is_refused(monkeypatch):
    monkeypatch.setenv(precision.ENV, "float32")
    assert use_bfloat16(None, CPU) is False
    assert use_bfloat16("bfloat16", CPU) is True  # an explicit choice wins
    monkeypatch.setenv(precision.ENV, "fp8")
    with pytest.raises(NicguiError, match="unknown precision 'fp8'"):
        use_bfloat16(None, CPU)


@pytest.mark.parametrize("name", ["theis-cae-s", "mean-scale"])
def test_transforms_in_bfloat16_give_float32_outputs_close_to_float32(name):
    torch.manual_seed(0)
    model = create(name).eval()
    x = torch.rand(1, 3, 64, 64) * 255
    with torch.inference_mode():
        y32, y16 = model.analysis(x), model.analysis(x, bf16=True)
        x32, x16 = model.synthesis(y32), model.synthesis(y32, bf16=True)
    assert y16.dtype == x16.dtype == torch.float32
    assert (y16 - y32).abs().max() < 0.05 * y32.abs().max()
    assert (x16 - x32).abs().mean() < 1.0  # grey levels


def test_a_file_written_in_bfloat16_is_as_good_and_decodes_in_float32(codec, photo):
    fast, exact = codec.to("cpu", "bfloat16"), codec.to("cpu", "float32")
    assert (fast.precision, exact.precision) == (Precision.BFLOAT16, Precision.FLOAT32)
    for q in (20, 80):
        data16, data32 = fast.encode(photo, q), exact.encode(photo, q)
        psnr16 = measure(photo, exact.decode(data16).rgb).psnr
        psnr32 = measure(photo, exact.decode(data32).rgb).psnr
        assert abs(len(data16) - len(data32)) <= 0.03 * len(data32)
        assert psnr16 > psnr32 - 0.1
        # decoding in either precision reads the same symbols; the pixels differ by rounding only
        a, b = exact.decode_full(data16), fast.decode_full(data16)
        assert np.array_equal(a.quantised.z, b.quantised.z)
        # 60 dB apart (measured; a decoder whose last layer also ran in bfloat16: 53 dB)
        assert measure(a.picture.rgb, b.picture.rgb).psnr > 56


def test_a_codec_keeps_its_precision_on_another_device(codec):
    c = Codec(codec.weights, "cpu", "float32")
    assert c.to("cpu").precision is Precision.FLOAT32
