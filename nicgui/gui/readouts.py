"""The numbers beside the pictures: size, bits per pixel, ratios, quality metrics, timings, device.

One column for nicgui's result and, while comparing, one for the classical codec at the same
size. Formatting is in plain functions, so it is tested without widgets.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from nicgui.app.results import ClassicOutcome, Loaded, Outcome
from nicgui.app.text import format_bytes
from nicgui.codec.metrics import Metrics

DASH = "—"
ROWS: tuple[tuple[str, str, str], ...] = (
    ("size", "File size", "Bytes in the compressed file, header included."),
    (
        "bpp",
        "Bits per pixel",
        "bpp: the file's size in bits divided by the number of pixels. Lower means a smaller file; "
        "uncompressed 8-bit RGB is 24 bpp.",
    ),
    ("ratio_raw", "Ratio vs raw", "Uncompressed size (width × height × channels bytes) ÷ file size."),
    ("ratio_png", "Ratio vs PNG", "Size of the same picture as a lossless PNG ÷ file size."),
    (
        "psnr",
        "PSNR",
        "Peak signal-to-noise ratio: 10·log10(255² / MSE) in dB. Higher is better; around 30 dB is fair, "
        "above 40 dB differences are hard to see.",
    ),
    ("mse", "MSE", "Mean squared error per pixel and channel, on the 0–255 scale. Lower is better."),
    (
        "ssim",
        "SSIM",
        "Structural similarity (Wang et al. 2004): compares local brightness, contrast and structure in "
        "11×11 Gaussian windows. 1 means identical; it follows perceived quality better than PSNR.",
    ),
    ("ms_ssim", "MS-SSIM", "SSIM combined over five scales, from fine detail to coarse structure. 1 means identical."),
    (
        "encode",
        "Encode time",
        "Encoder network plus quantisation and entropy coding at this quality. The encoder network runs once per "
        "picture; at a later quality the time is the coding alone, '(+ … encoder, once)' what the network took.",
    ),
    ("decode", "Decode time", "Decoder network: integer latents back to pixels."),
    ("device", "Device", "Where the model runs (switch in the Device menu)."),
)


def _ratio(reference: int | None, size: int) -> str:
    return DASH if not reference or not size else f"{reference / size:.1f} : 1"


def _seconds(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def _size(n: int) -> str:
    return f"{n:,} B" if n < 1000 else f"{n:,} B ({format_bytes(n)})"


def _metrics(m: Metrics) -> dict[str, str]:
    return {
        "psnr": "∞ (lossless)" if math.isinf(m.psnr) else f"{m.psnr:.2f} dB",
        "mse": f"{m.mse:.2f}",
        "ssim": DASH if math.isnan(m.ssim) else f"{m.ssim:.4f}",
        "ms_ssim": DASH if math.isnan(m.ms_ssim) else f"{m.ms_ssim:.4f}",
    }


def neural_column(o: Outcome, png_bytes: int | None) -> dict[str, str]:
    return {
        "size": _size(o.size),
        "bpp": f"{o.bpp:.3f}",
        "ratio_raw": _ratio(o.raw_bytes, o.size),
        "ratio_png": _ratio(png_bytes, o.size) if png_bytes else "…",
        **_metrics(o.metrics),
        "encode": (
            f"{_seconds(o.encode_seconds)} (+ {_seconds(o.analyse_seconds)} encoder, once)"
            if o.encoder_reused
            else _seconds(o.analyse_seconds + o.encode_seconds)
        ),
        "decode": _seconds(o.decode_seconds),
        "device": o.device,
    }


def classic_column(c: ClassicOutcome, raw_bytes: int, png_bytes: int | None) -> dict[str, str]:
    return {
        # its file holds no alpha: its budget was nicgui's size without nicgui's alpha plane
        "size": _size(c.size) + (" · RGB only" if c.alpha_bytes else ""),
        "bpp": f"{c.bpp:.3f}",
        "ratio_raw": _ratio(raw_bytes, c.size),
        "ratio_png": _ratio(png_bytes, c.size) if png_bytes else "…",
        **_metrics(c.metrics),
        "encode": _seconds(c.encode_seconds),
        "decode": _seconds(c.decode_seconds),
        "device": "cpu (Pillow)",
    }


def nic_column(loaded: Loaded, png_bytes: int | None = None) -> dict[str, str]:
    """A .nic file on its own: sizes and timing; no original, so no quality metrics."""
    assert loaded.nic is not None
    n = loaded.nic
    return {
        "size": _size(n.size),
        "bpp": f"{n.bpp:.3f}",
        "ratio_raw": _ratio(loaded.raw_bytes, n.size),
        "ratio_png": _ratio(png_bytes, n.size) if png_bytes else DASH,
        "psnr": DASH,
        "mse": DASH,
        "ssim": DASH,
        "ms_ssim": DASH,
        "encode": DASH,
        "decode": _seconds(n.decode_seconds),
        "device": loaded.device,
    }


class Readouts(QWidget):
    """A small table: one row per figure, with tooltips that explain them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(3)
        self._headers = [QLabel("<b>nicgui</b>"), QLabel("")]
        grid.addWidget(self._headers[0], 0, 1)
        grid.addWidget(self._headers[1], 0, 2)
        self._cells: dict[tuple[str, int], QLabel] = {}
        for r, (key, label, tip) in enumerate(ROWS, start=1):
            name = QLabel(label)
            name.setToolTip(tip)
            name.setWhatsThis(tip)
            grid.addWidget(name, r, 0)
            for col in (0, 1):
                cell = QLabel(DASH if col == 0 else "")
                cell.setToolTip(tip)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(cell, r, col + 1)
                self._cells[(key, col)] = cell
        grid.setRowStretch(len(ROWS) + 1, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

    def set_column(self, col: int, header: str, values: dict[str, str] | None) -> None:
        """Fill column 0 (nicgui / the .nic file) or 1 (classical codec); None empties it."""
        self._headers[col].setText(f"<b>{header}</b>" if values is not None else "")
        for key, _, _ in ROWS:
            text = (values or {}).get(key, DASH if values is not None or col == 0 else "")
            self._cells[(key, col)].setText(text)

    def value(self, key: str, col: int = 0) -> str:
        return self._cells[(key, col)].text()

    def header(self, col: int = 0) -> str:
        return self._headers[col].text().replace("<b>", "").replace("</b>", "")
