"""The comparison's verdict: which of nicgui and the classical codec is better on each readout row,
by how much, and one line that sums it up.

Better is: a smaller file (size, bpp), a higher PSNR, SSIM and MS-SSIM, a lower MSE, a shorter
encode and decode time. A row is a tie when both values read the same as the readouts show them
(bytes, 0.01 dB, 0.01 MSE, 0.0001 SSIM, the same shown time); a row without a value on one side
(SSIM of a picture too small for its window) has no verdict. Differences are nicgui's against the
classical codec: size, bpp and MSE in per cent, PSNR in dB, SSIM and MS-SSIM as a difference,
times as a factor ("2.1× faster", "35× slower"). The ratio rows restate the size and are not marked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from nicgui.app.results import ClassicOutcome, Outcome, classic_name

Side = Literal["nicgui", "classic"]
MINUS = "−"  # U+2212, as a number's sign reads in a table


@dataclass(frozen=True)
class Figures:
    """One side's figures, as far as the verdict needs them."""

    size: int
    bpp: float
    psnr: float
    mse: float
    ssim: float
    ms_ssim: float
    encode_seconds: float
    decode_seconds: float


@dataclass(frozen=True)
class RowVerdict:
    better: Side | None  # None: a tie, or no verdict
    difference: str  # nicgui against the classical codec ('−1.2 %', '+0.62 dB'); '' without a verdict


@dataclass(frozen=True)
class Verdict:
    rows: dict[str, RowVerdict] = field(default_factory=dict)
    summary: str = ""


def _signed(x: float, digits: int, unit: str = "") -> str:
    text = f"{abs(x):.{digits}f}"
    if float(text) == 0:
        return f"0{'.' + '0' * digits if digits else ''}{unit}"
    return ("+" if x > 0 else MINUS) + text + unit


def _percent(n: float, c: float) -> float:
    return (n - c) / c * 100 if c else (0.0 if n == c else math.inf)


def _smaller_is_better(n: float, c: float, digits: int) -> Side | None:
    """Lower wins; equal at the shown precision is a tie."""
    if round(n, digits) == round(c, digits):
        return None
    return "nicgui" if n < c else "classic"


def _shown_seconds(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"  # as the readouts show a time


def _size_row(n: float, c: float) -> RowVerdict:
    if n == c:
        return RowVerdict(None, "=")
    better: Side = "nicgui" if n < c else "classic"
    return RowVerdict(better, _signed(_percent(n, c), 1, " %"))


def _psnr_row(n: float, c: float) -> RowVerdict:
    if math.isinf(n) or math.isinf(c):
        if math.isinf(n) and math.isinf(c):
            return RowVerdict(None, "=")
        return RowVerdict("nicgui", "+∞ dB") if math.isinf(n) else RowVerdict("classic", f"{MINUS}∞ dB")
    d = n - c
    if round(n, 2) == round(c, 2):
        return RowVerdict(None, "=")
    return RowVerdict("nicgui" if d > 0 else "classic", _signed(d, 2, " dB"))


def _mse_row(n: float, c: float) -> RowVerdict:
    better = _smaller_is_better(n, c, 2)
    return RowVerdict(better, "=" if better is None else _signed(_percent(n, c), 1, " %"))


def _ssim_row(n: float, c: float) -> RowVerdict:
    if math.isnan(n) or math.isnan(c):
        return RowVerdict(None, "")
    if round(n, 4) == round(c, 4):
        return RowVerdict(None, "=")
    return RowVerdict("nicgui" if n > c else "classic", _signed(n - c, 4))


def _time_row(n: float, c: float) -> RowVerdict:
    if _shown_seconds(n) == _shown_seconds(c) or n <= 0 or c <= 0:
        return RowVerdict(None, "=")
    if n < c:
        return RowVerdict("nicgui", f"{_factor(c / n)}× faster")
    return RowVerdict("classic", f"{_factor(n / c)}× slower")


def _factor(x: float) -> str:
    return f"{x:.1f}" if x < 9.95 else f"{x:,.0f}"


def _size_phrase(pct: float) -> str:
    """'at the same size', 'at 0.8 % smaller': a size of the summary's subject against the other's."""
    if round(abs(pct), 1) == 0:
        return "at the same size"
    return f"at {abs(pct):.1f} % {'smaller' if pct < 0 else 'larger'}"


def verdict(nicgui: Figures, classic: Figures, codec: str) -> Verdict:
    """Each row's better side and nicgui's difference, and a summary line; ``codec`` names the
    classical codec as the summary says it ('WebP')."""
    rows = {
        "size": _size_row(nicgui.size, classic.size),
        "bpp": _size_row(nicgui.bpp, classic.bpp),
        "psnr": _psnr_row(nicgui.psnr, classic.psnr),
        "mse": _mse_row(nicgui.mse, classic.mse),
        "ssim": _ssim_row(nicgui.ssim, classic.ssim),
        "ms_ssim": _ssim_row(nicgui.ms_ssim, classic.ms_ssim),
        "encode": _time_row(nicgui.encode_seconds, classic.encode_seconds),
        "decode": _time_row(nicgui.decode_seconds, classic.decode_seconds),
    }
    return Verdict(rows, summary(nicgui, classic, codec, rows))


def summary(nicgui: Figures, classic: Figures, codec: str, rows: dict[str, RowVerdict]) -> str:
    """'nicgui: 0.62 dB better at 0.8 % smaller', 'WebP wins on PSNR by 0.30 dB at the same size',
    'nicgui: the same PSNR as WebP at 1.5 % larger'; the SSIM's winner is named when it differs."""
    pct = _percent(nicgui.size, classic.size)  # nicgui's size against the classical codec's
    psnr = rows["psnr"]
    if psnr.better is None:
        line = f"nicgui: the same PSNR as {codec} {_size_phrase(pct)}"
    elif psnr.better == "nicgui":
        by = "lossless" if math.isinf(nicgui.psnr) else f"{nicgui.psnr - classic.psnr:.2f} dB better"
        line = f"nicgui: {by} {_size_phrase(pct)}"
    else:
        theirs = _percent(classic.size, nicgui.size)
        by = "is lossless" if math.isinf(classic.psnr) else f"wins on PSNR by {classic.psnr - nicgui.psnr:.2f} dB"
        line = f"{codec} {by} {_size_phrase(theirs)}"
    ssim = rows["ssim"].better
    if ssim is not None and ssim != psnr.better:
        line += f"; SSIM favours {'nicgui' if ssim == 'nicgui' else codec}"
    return line


def outcome_figures(o: Outcome, without_bytes: int = 0) -> Figures:
    """nicgui's figures; ``without_bytes`` (its alpha plane, when the classical codec encodes RGB
    only) is left out of its size, so the sizes compare like with like."""
    size = o.size - without_bytes
    return Figures(
        size=size,
        bpp=o.bpp * size / o.size if o.size else o.bpp,
        psnr=o.metrics.psnr,
        mse=o.metrics.mse,
        ssim=o.metrics.ssim,
        ms_ssim=o.metrics.ms_ssim,
        encode_seconds=o.analyse_seconds + o.encode_seconds,  # the whole encode, network included
        decode_seconds=o.decode_seconds,
    )


def classic_figures(c: ClassicOutcome) -> Figures:
    return Figures(
        size=c.size,
        bpp=c.bpp,
        psnr=c.metrics.psnr,
        mse=c.metrics.mse,
        ssim=c.metrics.ssim,
        ms_ssim=c.metrics.ms_ssim,
        encode_seconds=c.encode_seconds,
        decode_seconds=c.decode_seconds,
    )


def compare(o: Outcome, c: ClassicOutcome) -> Verdict | None:
    """The verdict of nicgui's result against the classical codec's, or None when they are not of
    the same picture and quality."""
    if o.source_key != c.source_key or o.quality != c.quality:
        return None
    return verdict(outcome_figures(o, c.alpha_bytes), classic_figures(c), classic_name(c.codec))
