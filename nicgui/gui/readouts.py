"""The numbers beside the pictures: size, bits per pixel, ratios, quality metrics, timings, device.

One column for nicgui's result and, while comparing, one for the classical codec at the same
size. Formatting is in plain functions, so it is tested without widgets.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from nicgui.app.results import ClassicOutcome, Loaded, Outcome
from nicgui.app.text import format_bytes
from nicgui.app.verdict import Verdict
from nicgui.codec.metrics import Metrics
from nicgui.gui import theme

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
DIFFERENCE_TIP = (
    "nicgui against the classical codec: size, bits per pixel and MSE in per cent, PSNR in dB, SSIM and "
    "MS-SSIM as a difference, times as a factor. The better value of each row is marked ✓. A transparent "
    "picture's size is compared without nicgui's alpha plane (the classical codec encodes RGB only)."
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


MARK = "✓ "  # before the better value of a row while comparing


def _fixed_width(label: QLabel) -> None:
    """A label that never asks its column for more width: a longer text wraps instead."""
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)


class Readouts(QWidget):
    """A small table: one row per figure, with tooltips that explain them. While comparing, the
    better value of each row is marked (bold, green, a ✓), a third column holds nicgui's difference
    and a line above the table sums it up; the verdict comes from ``nicgui.app.verdict``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        # the verdict's line: wraps, and never asks the dock for more width
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary_label.setStyleSheet("font-weight: bold;")
        self.summary_label.hide()
        grid.addWidget(self.summary_label, 0, 0, 1, 4)
        self._headers = [QLabel("<b>nicgui</b>"), QLabel(""), QLabel("")]
        self._headers[2].setToolTip(DIFFERENCE_TIP)
        for col, h in enumerate(self._headers):
            h.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            _fixed_width(h)
            grid.addWidget(h, 1, col + 1)
        self._cells: dict[tuple[str, int], QLabel] = {}
        self._values: dict[tuple[str, int], str] = {}
        for r, (key, label, tip) in enumerate(ROWS, start=2):
            name = QLabel(label)
            name.setToolTip(tip)
            name.setWhatsThis(tip)
            grid.addWidget(name, r, 0)
            for col in (0, 1, 2):
                cell = QLabel(DASH if col == 0 else "")
                cell.setToolTip(tip if col < 2 else DIFFERENCE_TIP)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                _fixed_width(cell)
                grid.addWidget(cell, r, col + 1)
                self._cells[(key, col)] = cell
                self._values[(key, col)] = cell.text()
        grid.setRowStretch(len(ROWS) + 2, 1)
        # the value columns share the width the dock has, whatever they hold (a longer text wraps):
        # the dock does not widen when "computing…", a comparison or a long time appears, and shift
        # the views; their least widths keep the window's least width where it was
        fm = self.fontMetrics()
        for col, sample in ((1, "888,888 B"), (2, "888,888 B"), (3, "+0.62 dB")):
            grid.setColumnMinimumWidth(col, fm.horizontalAdvance(sample) + 4)
            grid.setColumnStretch(col, 1)

    def set_column(self, col: int, header: str, values: dict[str, str] | None) -> None:
        """Fill column 0 (nicgui / the .nic file) or 1 (classical codec); None empties it. The
        verdict goes with it: set it again once both columns are filled."""
        self.set_verdict(None)
        self._headers[col].setText(f"<b>{header}</b>" if values is not None else "")
        for key, _, _ in ROWS:
            text = (values or {}).get(key, DASH if values is not None or col == 0 else "")
            self._values[(key, col)] = text
            self._cells[(key, col)].setText(text)

    def set_verdict(self, verdict: Verdict | None) -> None:
        """Mark each row's better value, fill the difference column and the summary; None clears them."""
        rows = verdict.rows if verdict is not None else {}
        for key, _, _ in ROWS:
            row = rows.get(key)
            for col, side in ((0, "nicgui"), (1, "classic")):
                cell = self._cells[(key, col)]
                better = row is not None and row.better == side
                cell.setText(MARK + self._values[(key, col)] if better else self._values[(key, col)])
                cell.setStyleSheet(f"color: {theme.BETTER}; font-weight: bold;" if better else "")
            self._cells[(key, 2)].setText(row.difference if row is not None else "")
        self._headers[2].setText("<b>Δ nicgui</b>" if verdict is not None else "")
        self.summary_label.setText(verdict.summary if verdict is not None else "")
        self.summary_label.setVisible(verdict is not None and bool(verdict.summary))

    def value(self, key: str, col: int = 0) -> str:
        """A row's value in column 0 or 1 as its column gave it (without the mark); 2: the difference."""
        return self._cells[(key, 2)].text() if col == 2 else self._values[(key, col)]

    def marked(self, key: str, col: int) -> bool:
        """Whether the row's value in column ``col`` is marked the better one."""
        return self._cells[(key, col)].text().startswith(MARK)

    def summary(self) -> str:
        """The verdict's line above the table ('' when not comparing)."""
        return self.summary_label.text()

    def header(self, col: int = 0) -> str:
        return self._headers[col].text().replace("<b>", "").replace("</b>", "")
