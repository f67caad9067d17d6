"""The comparison's verdict, without Qt: which side is better on each row, nicgui's difference,
ties at the shown precision, and the summary line."""

from __future__ import annotations

import math
from dataclasses import replace

from nicgui.app.verdict import Figures, verdict

BASE = Figures(
    size=20_000, bpp=0.400, psnr=32.00, mse=41.0, ssim=0.9000, ms_ssim=0.9700, encode_seconds=0.2, decode_seconds=0.1
)


def test_each_rows_direction():
    n = replace(BASE, size=19_800, bpp=0.396, psnr=32.62, mse=35.0, ssim=0.9123, ms_ssim=0.9650, encode_seconds=0.5)
    c = replace(BASE, decode_seconds=0.3)
    rows = verdict(n, c, "WebP").rows
    assert rows["size"].better == "nicgui" and rows["size"].difference == "−1.0 %"  # smaller is better
    assert rows["bpp"].better == "nicgui" and rows["bpp"].difference == "−1.0 %"
    assert rows["psnr"].better == "nicgui" and rows["psnr"].difference == "+0.62 dB"  # higher is better
    assert rows["mse"].better == "nicgui" and rows["mse"].difference == "−14.6 %"  # lower is better
    assert rows["ssim"].better == "nicgui" and rows["ssim"].difference == "+0.0123"
    assert rows["ms_ssim"].better == "classic" and rows["ms_ssim"].difference == "−0.0050"
    assert rows["encode"].better == "classic" and rows["encode"].difference == "2.5× slower"  # faster is better
    assert rows["decode"].better == "nicgui" and rows["decode"].difference == "3.0× faster"
    slow = verdict(replace(BASE, decode_seconds=0.485), replace(BASE, decode_seconds=0.005), "WebP")
    assert slow.rows["decode"].difference == "97× slower"
    assert "ratio_raw" not in rows and "device" not in rows  # the ratios restate the size


def test_the_classical_codec_wins_the_other_way():
    c = replace(BASE, size=19_000, bpp=0.380, psnr=32.30, mse=38.0, ssim=0.9100)
    v = verdict(BASE, c, "WebP")
    assert all(v.rows[k].better == "classic" for k in ("size", "bpp", "psnr", "mse", "ssim"))
    assert v.rows["size"].difference == "+5.3 %" and v.rows["psnr"].difference == "−0.30 dB"
    assert v.summary == "WebP wins on PSNR by 0.30 dB at 5.0 % smaller"


def test_ties_at_the_shown_precision():
    c = replace(BASE, psnr=32.001, mse=41.001, ssim=0.90001, ms_ssim=0.97004, encode_seconds=0.2004)
    rows = verdict(BASE, c, "JPEG").rows
    for key in ("size", "bpp", "psnr", "mse", "ssim", "ms_ssim", "encode", "decode"):
        assert rows[key].better is None and rows[key].difference == "=", key
    assert verdict(BASE, c, "JPEG").summary == "nicgui: the same PSNR as JPEG at the same size"


def test_no_verdict_without_a_value_and_lossless():
    nan = replace(BASE, ssim=math.nan, ms_ssim=math.nan)
    rows = verdict(nan, BASE, "WebP").rows
    assert rows["ssim"].better is None and rows["ssim"].difference == ""
    lossless = verdict(replace(BASE, psnr=math.inf), BASE, "WebP")
    assert lossless.rows["psnr"].better == "nicgui" and lossless.summary.startswith("nicgui: lossless")
    both = verdict(replace(BASE, psnr=math.inf), replace(BASE, psnr=math.inf), "WebP").rows["psnr"]
    assert both.better is None


def test_the_summary_line():
    better = replace(BASE, size=19_840, psnr=32.62)
    assert verdict(better, BASE, "WebP").summary == "nicgui: 0.62 dB better at 0.8 % smaller"
    larger = replace(BASE, size=20_300, psnr=32.62)
    assert verdict(larger, BASE, "AVIF").summary == "nicgui: 0.62 dB better at 1.5 % larger"
    same = replace(BASE, psnr=31.70, ssim=0.9200)
    assert verdict(same, BASE, "WebP").summary == "WebP wins on PSNR by 0.30 dB at the same size; SSIM favours nicgui"
