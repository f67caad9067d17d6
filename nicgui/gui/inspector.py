"""The latent inspector: one latent channel's histogram against the model's probabilities, bits
spent per channel, the channel's spatial map, and where the bits go over the picture.

For a hyperprior the histogram shows the coded residuals against the mixture of the Gaussians
they were coded with, and the map can show what the hyperprior predicted for each element (its
mean and scale), the bits each element cost, or the hyper-latent's channels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nicgui.app.results import LatentData
from nicgui.gui.colours import lookup_table
from nicgui.gui.theme import ACCENT, BACKGROUND

BAR = ACCENT
SELECTED = "#fbbc04"
MODEL = "#f28b82"
MIN_SHOWN_PROBABILITY = 1e-3
SELECTED_MIN_PX = 5  # the chosen channel's bar is at least this wide on screen (192 bars in a narrow plot)
NO_LATENTS = "Open an image to inspect its latents."
HIST_TITLE = "Histogram of the channel's integer values"
BITS_TITLE = "Bits per channel"
MAP_TITLE = "Channel values over the picture"
WHERE_TITLE = "Where the bits go"

# what the channel map can show: key -> (menu label, needs a hyperprior)
MAP_KINDS = {
    "values": ("Coded values", False),
    "bits": ("Bits per element", False),
    "mean": ("Predicted mean", True),
    "scale": ("Predicted scale", True),
    "hyper": ("Hyper-latent channel", True),
}


@dataclass(frozen=True)
class ChannelMap:
    """One 2-D array to draw over the picture, how to colour it, and what it is."""

    values: np.ndarray
    levels: tuple[float, float]
    diverging: bool
    block: int  # pixels per array element, per side
    label: str


def channel_map(latents: LatentData, channel: int, kind: str) -> ChannelMap:
    """The array the map shows for ``kind`` (falls back to the coded values without side information)."""
    s = latents.stride
    if kind == "mean" and latents.mean is not None:
        a = latents.mean[channel]
        m = max(float(np.abs(a).max()), 1e-6)
        return ChannelMap(a, (-m, m), True, s, f"Channel {channel}: predicted mean (−{m:.1f}…{m:.1f})")
    if kind == "scale" and latents.scale is not None:
        a = latents.scale[channel]
        return ChannelMap(
            a,
            (0.0, max(float(a.max()), 1e-6)),
            False,
            s,
            f"Channel {channel}: predicted scale ({float(a.min()):.2f}…{float(a.max()):.2f})",
        )
    if kind == "hyper" and latents.hyper is not None:
        c = channel % latents.hyper.shape[0]
        a = latents.hyper[c].astype(np.float32)
        m = max(1.0, float(np.abs(a).max()))
        return ChannelMap(a, (-m, m), True, s * 4, f"Hyper-latent channel {c} of {latents.hyper.shape[0]}")
    if kind == "bits":
        a = latents.bits[channel]
        top = max(float(a.max()), 1e-6)
        return ChannelMap(a, (0.0, top), False, s, f"Channel {channel}: bits per element (0…{top:.1f})")
    a = latents.z[channel].astype(np.float32)
    m = max(1, int(np.abs(a).max()))
    what = "coded residuals" if latents.mean is not None else "values"
    return ChannelMap(a, (-m, m), True, s, f"Channel {channel} over the picture ({what} −{m}…{m})")


@dataclass(frozen=True)
class ChannelHistogram:
    """How often each integer value occurs in one channel, beside the model's probability for it."""

    channel: int
    values: np.ndarray  # consecutive integers
    frequencies: np.ndarray  # fraction of the channel's elements with each value
    probabilities: np.ndarray  # the model's probability of each value
    escaped: int  # elements outside the model's table (coded in full)


def channel_histogram(latents: LatentData, channel: int) -> ChannelHistogram:
    """The histogram of channel ``channel`` over the values that occur or that the model expects."""
    z = latents.z[channel].ravel()
    table_values, table_probs = latents.probabilities[channel]
    h = int(table_values[-1])
    likely = table_values[table_probs >= MIN_SHOWN_PROBABILITY]
    lo = int(min(z.min(), likely.min() if likely.size else 0))
    hi = int(max(z.max(), likely.max() if likely.size else 0))
    lo, hi = max(lo, -h), min(hi, h)
    values = np.arange(lo, hi + 1)
    inside = z[(z >= lo) & (z <= hi)]
    counts = np.bincount(inside - lo, minlength=values.size)
    return ChannelHistogram(
        channel,
        values,
        counts / max(1, z.size),
        table_probs[lo + h : hi + h + 1],
        int(np.count_nonzero((z < -h) | (z > h))),
    )


def _diverging_lut() -> np.ndarray:
    return lookup_table("CET-D1")  # blue - white - red


def _sequential_lut() -> np.ndarray:
    return lookup_table("magma")


def _overlay_lut() -> np.ndarray:
    """Transparent for few bits, opaque warm colours for many."""
    return lookup_table("magma", alpha_ramp=215)


def _image_box(title: str) -> tuple[pg.GraphicsLayoutWidget, pg.ViewBox, pg.LabelItem]:
    w = pg.GraphicsLayoutWidget()
    w.setBackground(BACKGROUND)
    label = w.ci.addLabel(title, row=0, col=0)
    vb = w.ci.addViewBox(row=1, col=0)
    vb.setAspectLocked(True)
    vb.invertY(True)
    vb.setMenuEnabled(False)
    return w, vb, label


class LatentInspector(QWidget):
    """Pick a channel with the spin box or by clicking its bar."""

    channel_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.latents: LatentData | None = None
        self._bar_brush, self._selected_brush = pg.mkBrush(BAR), pg.mkBrush(SELECTED)
        self.histogram: ChannelHistogram | None = None
        self._size: tuple[int, int] = (0, 0)
        self.latents_shown = 0

        self.spin = QSpinBox()
        self.spin.setRange(0, 0)
        self.spin.setToolTip("Latent channel to inspect (or click a bar in 'Bits per channel').")
        self.spin.valueChanged.connect(self.set_channel)
        busiest = QPushButton("Most bits")
        busiest.setToolTip("Show the channel that costs the most bits at this quality.")
        busiest.clicked.connect(self._pick_busiest)
        self.map_kind = QComboBox()
        self.map_kind.setToolTip(
            "What the channel map shows: the coded values, their cost, or (for a "
            "hyperprior) its predictions and its hyper-latent."
        )
        for key, (label, _) in MAP_KINDS.items():
            self.map_kind.addItem(label, key)
        self.map_kind.currentIndexChanged.connect(lambda _: self._draw_channel(self.spin.value()))
        self.summary = QLabel(NO_LATENTS)
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Channel"))
        top.addWidget(self.spin)
        top.addWidget(busiest)
        top.addWidget(QLabel("Map"))
        top.addWidget(self.map_kind)
        top.addWidget(self.summary, 1)

        self.hist_plot = pg.PlotWidget(title=HIST_TITLE, background=BACKGROUND)
        self.hist_plot.setLabel("bottom", "quantised value")
        self.hist_plot.setLabel("left", "fraction")
        self.hist_plot.getAxis("left").enableAutoSIPrefix(False)
        self.hist_plot.addLegend(offset=(-8, 8))
        self.hist_bars = pg.BarGraphItem(x=[], height=[], width=0.9, brush=BAR, name="in this picture")
        self.hist_plot.addItem(self.hist_bars)
        self.model_curve = self.hist_plot.plot(
            [], [], pen=pg.mkPen(MODEL, width=2), symbol="o", symbolSize=5, symbolBrush=MODEL, name="model"
        )
        self.hist_plot.setToolTip(
            "Bars: how often each quantised value occurs in this channel. Red: the probability the "
            "entropy model assigns it. The closer they match, the fewer bits the channel costs."
        )

        self.bits_plot = pg.PlotWidget(title=BITS_TITLE, background=BACKGROUND)
        self.bits_plot.setLabel("bottom", "channel")
        self.bits_plot.setLabel("left", "bits")
        self.bits_plot.getAxis("left").enableAutoSIPrefix(False)
        self.bits_bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=BAR)
        self.bits_plot.addItem(self.bits_bars)
        # the chosen channel: a band of its own colour behind the bars, full height and a few pixels
        # wide whatever the number of channels, with its bar drawn again in that colour on top
        self.selected_band = pg.BarGraphItem(x=[], height=[], width=1.0, brush=pg.mkBrush(SELECTED + "55"), pen=None)
        self.selected_band.setZValue(-1)
        self.selected_bar = pg.BarGraphItem(x=[], height=[], width=1.0, brush=self._selected_brush, pen=None)
        self.selected_bar.setZValue(1)
        self.bits_plot.addItem(self.selected_band, ignoreBounds=True)  # their width follows the range: no loop
        self.bits_plot.addItem(self.selected_bar, ignoreBounds=True)
        self.bits_plot.getPlotItem().getViewBox().sigResized.connect(self._size_selected)
        self.bits_plot.getPlotItem().getViewBox().sigXRangeChanged.connect(self._size_selected)
        self.bits_plot.setToolTip("Bits the entropy coder spends on each latent channel. Click a bar to inspect it.")
        self.bits_plot.scene().sigMouseClicked.connect(self._bits_clicked)

        self.map_widget, self.map_box, self.map_label = _image_box(MAP_TITLE)
        self.map_item = pg.ImageItem()
        self.map_item.setLookupTable(_diverging_lut())
        self.map_box.addItem(self.map_item)
        self.map_widget.setToolTip(
            "The channel over the picture, one square per latent position "
            "(blue negative, red positive; bright is more for scales and bits)."
        )

        self.where_widget, self.where_box, self.where_label = _image_box(WHERE_TITLE)
        self.where_base = pg.ImageItem()
        self.where_overlay = pg.ImageItem()
        self.where_overlay.setLookupTable(_overlay_lut())
        self.where_box.addItem(self.where_base)
        self.where_box.addItem(self.where_overlay)
        self.where_widget.setToolTip("Bits spent on each latent position's block of pixels (all channels).")

        grid = QGridLayout()  # one row: the inspector sits in a wide, low panel under the pictures
        for col, w in enumerate((self.hist_plot, self.bits_plot, self.map_widget, self.where_widget)):
            grid.addWidget(w, 0, col)
            grid.setColumnStretch(col, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)

    @property
    def channel(self) -> int:
        return self.spin.value()

    def set_latents(self, latents: LatentData | None, thumbnail: np.ndarray | None, size: tuple[int, int]) -> None:
        """New latents (a new quality or picture); keeps the chosen channel."""
        if latents is None:
            self.clear(NO_LATENTS)
            return
        self.latents = latents
        self._size = size
        w, h = size
        if thumbnail is not None:
            self.where_base.setImage(thumbnail, levels=None)
            self.where_base.setRect(QRectF(0, 0, w, h))
        pb = latents.position_bits
        s = latents.stride
        top = float(np.percentile(pb, 99)) if pb.size else 1.0
        self.where_overlay.setImage(pb, levels=(0.0, max(top, 1e-6)))
        self.where_overlay.setRect(QRectF(0, 0, pb.shape[1] * s, pb.shape[0] * s))
        self.where_label.setText(f"Where the bits go (bits per {s}×{s} block; brightest ≥ {top:.0f})")
        side = latents.mean is not None
        model = self.map_kind.model()
        assert isinstance(model, QStandardItemModel)
        for i, (_, needs_side) in enumerate(MAP_KINDS.values()):
            model.item(i).setEnabled(side or not needs_side)
        if not side and MAP_KINDS[self.map_kind.currentData()][1]:
            self.map_kind.setCurrentIndex(0)
        self.where_box.setRange(QRectF(0, 0, w, h), padding=0.02)
        first = self.latents_shown == 0
        self.latents_shown += 1
        with QSignalBlocker(self.spin):
            self.spin.setRange(0, latents.channels - 1)
            if first:  # start on the channel that costs the most: the most telling one
                self.spin.setValue(int(np.argmax(latents.channel_bits)))
        self._draw_channel(self.spin.value())

    def clear(self, why: str = NO_LATENTS) -> None:
        """Nothing to inspect (yet): ``why`` says so, and no title, number or range of the last
        latents stays."""
        self.latents = None
        self.histogram = None
        self._size = (0, 0)
        self.summary.setText(why)
        for item in (self.map_item, self.where_base, self.where_overlay):
            item.clear()
        for bars in (self.hist_bars, self.bits_bars, self.selected_band, self.selected_bar):
            bars.setOpts(x=[], height=[])
        self.model_curve.setData([], [])
        self.hist_plot.setTitle(HIST_TITLE)
        self.map_label.setText(MAP_TITLE)
        self.where_label.setText(WHERE_TITLE)
        for plot in (self.hist_plot, self.bits_plot):
            plot.getPlotItem().getViewBox().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            plot.getPlotItem().enableAutoRange()  # the next latents set the range again
        for box in (self.map_box, self.where_box):
            box.setRange(QRectF(0, 0, 1, 1), padding=0)

    @property
    def selected_width(self) -> float:
        """The chosen channel's bar width in channels: at least ``SELECTED_MIN_PX`` on screen."""
        vb = self.bits_plot.getPlotItem().getViewBox()
        (x0, x1), pixels = vb.viewRange()[0], vb.width()
        per_pixel = (x1 - x0) / pixels if pixels > 0 else 0.0
        return max(0.8, SELECTED_MIN_PX * per_pixel)

    def _size_selected(self, *_args: object) -> None:
        if self.latents is None:
            return
        c, bits = self.spin.value(), self.latents.channel_bits
        top = float(bits.max()) if bits.size else 1.0
        width = self.selected_width
        self.selected_band.setOpts(x=[c], height=[top], width=width)
        self.selected_bar.setOpts(x=[c], height=[float(bits[c])], width=width)

    def set_channel(self, channel: int) -> None:
        if channel != self.spin.value():
            self.spin.setValue(channel)  # comes back here through valueChanged
            return
        self._draw_channel(channel)
        self.channel_changed.emit(channel)

    def _draw_channel(self, c: int) -> None:
        lat = self.latents
        if lat is None:
            return
        hist = channel_histogram(lat, c)
        self.histogram = hist
        self.hist_bars.setOpts(x=hist.values, height=hist.frequencies, width=0.9)
        self.model_curve.setData(hist.values, hist.probabilities)
        self.hist_plot.setTitle(f"Channel {c}: values at quality {lat.quality}")
        bits = lat.channel_bits
        brushes = [self._bar_brush] * bits.size
        brushes[c] = self._selected_brush
        self.bits_bars.setOpts(x=np.arange(bits.size), height=bits, brushes=brushes)
        self._size_selected()
        zc = lat.z[c]
        cm = channel_map(lat, c, self.map_kind.currentData() or "values")
        self.map_item.setLookupTable(_diverging_lut() if cm.diverging else _sequential_lut())
        self.map_item.setImage(cm.values.astype(np.float32), levels=cm.levels)
        rect = (cm.values.shape[1] * cm.block, cm.values.shape[0] * cm.block)
        self.map_item.setRect(QRectF(0, 0, *rect))
        self.map_box.setRange(QRectF(0, 0, *(self._size if self._size[0] else rect)), padding=0.02)
        self.map_label.setText(cm.label)
        total = float(bits.sum())
        share = 100.0 * float(bits[c]) / total if total else 0.0
        esc = f", {hist.escaped} outside the model's table" if hist.escaped else ""
        side = f"; side information {lat.side_bits:,.0f} bits" if lat.mean is not None else ""
        self.summary.setText(
            f"Channel {c} of {lat.channels}: {bits[c]:,.0f} bits ({share:.1f} % of {total:,.0f}{side}); "
            f"values {int(zc.min())}…{int(zc.max())}{esc}."
        )

    def _pick_busiest(self) -> None:
        if self.latents is not None:
            self.set_channel(int(np.argmax(self.latents.channel_bits)))

    def _bits_clicked(self, event) -> None:
        vb = self.bits_plot.getPlotItem().getViewBox()
        pos = event.scenePos()
        if self.latents is None or not vb.sceneBoundingRect().contains(pos):
            return
        c = int(round(vb.mapSceneToView(pos).x()))
        if 0 <= c < self.latents.channels and event.button() == Qt.MouseButton.LeftButton:
            self.set_channel(c)
