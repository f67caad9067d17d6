"""The image views: original, reconstruction and error heatmap with linked pan and zoom, and a
split view (original | reconstruction with a draggable divider) for close comparison.

The side-by-side views are laid out by hand on one canvas, in the arrangement (a row, a 2x2 grid
or a column of equal cells) that shows the picture largest in the area at hand; see
:func:`arrangements` and :meth:`ImageViews.arrangement`.

Pictures arrive ready to show (uint8 RGB; heatmaps already coloured on the worker), so putting
them on screen costs no pixel arithmetic on the GUI thread.
"""

from __future__ import annotations

import html
import math
from functools import cache
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nicgui.app.heatmaps import ABS_ERROR_LEVELS, Heatmap, HeatmapKind, colour_table
from nicgui.gui.colours import lookup_table
from nicgui.gui.theme import BACKGROUND, TEXT

pg.setConfigOptions(imageAxisOrder="row-major")

ORIGINAL, RECONSTRUCTION, HEATMAP, CLASSIC = range(4)
VIEWS = 4
NO_CLASSIC = "“Compare with” shows JPEG, WebP, AVIF or JPEG XL here, at nicgui's file size"
SIDE, SPLIT = "side", "split"
TITLE_COLOUR = TEXT
MARGIN = 6  # around the side-by-side views, in logical pixels
SPACING = 4  # between cells, and between the cells and the colour bar
FIT_PADDING = 0.02  # a fitted picture leaves this fraction of its size free on each side
DIVIDER_INSET = 0.05  # a divider moved into view stays this share of the view's width from its edges
STICKY = 1.03  # on a resize, another arrangement must show the picture this much larger to replace the current one


class Arrangement(NamedTuple):
    """Views in ``rows`` x ``cols`` equal cells, in reading order (original, nicgui, error, classical)."""

    rows: int
    cols: int


ROW_OF = {3: Arrangement(1, 3), 4: Arrangement(1, 4)}
GRID = Arrangement(2, 2)


def arrangements(views: int) -> list[Arrangement]:
    """The candidate arrangements of ``views`` views: a row, a 2x2 grid (three views leave a cell
    for the comparison hint) and a column."""
    return [Arrangement(1, views), GRID, Arrangement(views, 1)]


class Cell(NamedTuple):
    """The size of one view (its title excluded) in an arrangement, in logical pixels."""

    width: float
    height: float


def cell_size(arr: Arrangement, area: tuple[float, float], title_h: float, bar_w: float) -> Cell:
    """One view's size when ``arr`` fills ``area`` (width, height): margins around, ``SPACING``
    between cells, a title of ``title_h`` above each view, the colour bar (``bar_w``) on the right."""
    w, h = area
    width = (w - 2 * MARGIN - bar_w - SPACING - SPACING * (arr.cols - 1)) / arr.cols
    height = (h - 2 * MARGIN - SPACING * (arr.rows - 1)) / arr.rows - title_h
    return Cell(max(0.0, width), max(0.0, height))


def picture_scale(cell: Cell, picture: tuple[int, int]) -> float:
    """Screen pixels per picture pixel of a picture (width, height) fitted whole in ``cell``."""
    return min(cell.width / picture[0], cell.height / picture[1])


def best_arrangement(
    views: int,
    area: tuple[float, float],
    picture: tuple[int, int],
    title_h: float,
    bar_w: float,
    current: Arrangement | None = None,
    sticky: float = 1.0,
) -> Arrangement:
    """The arrangement of ``views`` views that shows ``picture`` largest in ``area``. ``current``
    stays unless another shows the picture more than ``sticky`` times larger (and wins ties)."""
    candidates = arrangements(views)
    scales = {a: picture_scale(cell_size(a, area, title_h, bar_w), picture) for a in candidates}
    best = max(candidates, key=lambda a: scales[a])  # the first of equals: a row before a grid
    if current in scales and scales[current] * sticky >= scales[best]:
        return current
    return best


@cache
def colour_map(kind: HeatmapKind) -> pg.ColorMap:
    """The heatmap's colours as a pyqtgraph map, for the colour bar."""
    return pg.ColorMap(np.linspace(0.0, 1.0, 256), colour_table(kind, lookup_table("inferno")))


class _Title(pg.LabelItem):
    """A view's title; its text never widens its cell, so the views stay equal: a title longer
    than its cell is cut short with "…" (the whole of it in the tooltip) rather than run over
    its neighbours."""

    def __init__(self) -> None:
        self.full_text = ""
        self._elided_for: tuple[str, float] | None = None
        super().__init__("", color=TITLE_COLOUR)

    def show_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def _elide(self) -> None:
        width = self.width()
        if self._elided_for == (self.full_text, width):
            return
        self._elided_for = (self.full_text, width)
        metrics = QFontMetricsF(self.item.font())
        room = width - 2 * self.item.document().documentMargin()
        shown = metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight, room) if room > 0 else ""
        self.setToolTip(self.full_text if shown != self.full_text else "")
        self.setText(html.escape(shown, quote=False), color=TITLE_COLOUR)

    def resizeEvent(self, ev: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        if ev is not None:  # a real resize (setText calls this with None)
            self._elide()

    def updateMin(self) -> None:  # noqa: N802 (pyqtgraph's name): as LabelItem's, with no minimum width
        h = self.itemRect().height()
        self.setMinimumHeight(h)
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (0, h),
            Qt.SizeHint.PreferredSize: (0, h),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


def _view_box(layout: pg.GraphicsLayout | None = None) -> pg.ViewBox:
    vb = pg.ViewBox() if layout is None else layout.addViewBox(row=0, col=0)
    vb.setAspectLocked(True)
    vb.invertY(True)
    vb.setMenuEnabled(False)
    return vb


def _show(item: pg.ImageItem, rgb: np.ndarray | None) -> None:
    """Show uint8 RGB as it is (no levels: pyqtgraph wraps the array in a QImage without copying)."""
    if rgb is None:
        item.clear()
    else:
        item.setImage(rgb, levels=None)


class ImageViews(QWidget):
    """Three linked views side by side, or one split view; emits what is under the cursor."""

    cursor_text = Signal(str)
    mode_changed = Signal(str)
    zoom_changed = Signal(str)  # the zoom level as the user reads it ("fit · 37 %", "100 %")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original: np.ndarray | None = None
        self._reconstruction: np.ndarray | None = None
        self._heatmap: Heatmap | None = None
        self._size: tuple[int, int] | None = None  # (width, height) on screen
        self._mode = SIDE
        self._split_at = 0.5  # divider position as a fraction of the width
        self._bar_state: tuple[HeatmapKind, tuple[float, float]] | None = None
        self._shown_titles: list[str] = ["", "", "", ""]
        self._classic: np.ndarray | None = None
        self._wipe_classic = False  # the split view compares nicgui with the classical codec
        self._fitted = True  # the whole picture is in view (until the user pans or zooms)

        # side by side: the views on one canvas, placed by hand (_place) in the arrangement that
        # shows the picture largest; a grid layout laid them out wrong after each rearrangement
        self.side = pg.GraphicsView(background=BACKGROUND)
        self.canvas = pg.GraphicsWidget()
        self.side.setCentralItem(self.canvas)  # the view keeps it the size of its viewport
        self.titles = [_Title() for _ in range(VIEWS)]
        self.boxes = [_view_box() for _ in range(VIEWS)]
        self.items = [pg.ImageItem() for _ in range(VIEWS)]
        for title, vb, item in zip(self.titles, self.boxes, self.items, strict=True):
            title.setParentItem(self.canvas)
            vb.setParentItem(self.canvas)
            vb.addItem(item)
        # the part on screen of a new quality, laid over the old reconstruction until the whole arrives
        self.patch = pg.ImageItem()
        self.patch.setZValue(1)
        self.boxes[RECONSTRUCTION].addItem(self.patch)
        self._patch_rect: tuple[int, int, int, int] | None = None
        for vb in self.boxes[1:]:
            vb.setXLink(self.boxes[0])
            vb.setYLink(self.boxes[0])
        self.colour_bar = pg.ColorBarItem(
            values=ABS_ERROR_LEVELS,
            colorMap=colour_map(HeatmapKind.ABS),
            interactive=False,
            width=14,
            label="mean |error| (levels)",
            colorMapMenu=False,
        )
        self.colour_bar.setParentItem(self.canvas)
        self._arrangement = ROW_OF[3]
        self._placed: tuple[object, ...] | None = None  # what the last placement was for
        self.canvas.geometryChanged.connect(self._resized)
        self.side.scene().sigMouseMoved.connect(self._moved_side)

        # split: original below, reconstruction on top clipped to the right of the divider
        split_page = QWidget()
        sl = QVBoxLayout(split_page)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(0)
        self.split_title = QLabel()
        self.split_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.split_title.setStyleSheet(f"background: {BACKGROUND}; color: {TITLE_COLOUR}; padding: 4px;")
        self.split = pg.GraphicsLayoutWidget()
        self.split.setBackground(BACKGROUND)
        self.split_box = _view_box(self.split.ci)
        self.split_original = pg.ImageItem()
        self.split_box.addItem(self.split_original)
        self._clip = QGraphicsRectItem()
        self._clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self._clip.setPen(QPen(Qt.PenStyle.NoPen))
        self.split_box.addItem(self._clip)
        self.split_reconstruction = pg.ImageItem()
        self.split_reconstruction.setParentItem(self._clip)
        self.split_patch = pg.ImageItem()
        self.split_patch.setParentItem(self._clip)
        self.split_patch.setZValue(1)
        self.divider = pg.InfiniteLine(
            angle=90, movable=True, pen=pg.mkPen("#fbbc04", width=2), hoverPen=pg.mkPen("#ffffff", width=3)
        )
        self.divider.setZValue(10)
        self.split_box.addItem(self.divider, ignoreBounds=True)
        self.divider.sigPositionChanged.connect(self._divider_moved)
        self.split_box.sigRangeChanged.connect(self._keep_divider_in_view)
        self.split.scene().sigMouseMoved.connect(self._moved_split)
        sl.addWidget(self.split_title)
        sl.addWidget(self.split, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.side)
        self.stack.addWidget(split_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._titles = ["Original", "Reconstruction", "Error", NO_CLASSIC]
        self._update_titles()
        self._place()
        for vb in (*self.boxes, self.split_box):
            vb.sigRangeChangedManually.connect(self._zoomed_by_hand)
        self._zoom_shown = ""
        for vb in (self.boxes[0], self.split_box):
            vb.sigRangeChanged.connect(self._zoom_update)
        self.setToolTip("")
        self.side.setToolTip("Drag to pan, wheel to zoom; all views move together.")
        self.split.setToolTip(
            "Drag the yellow divider to compare; keys 1, 2, 3 show original, reconstruction, both; "
            "4 compares nicgui with the classical codec."
        )

    # -- content ---------------------------------------------------------------------------------
    def set_original(self, rgb: np.ndarray | None, title: str = "Original") -> None:
        """A new picture: shows it and fits the views when its size differs from the last one."""
        self._original = rgb
        _show(self.items[ORIGINAL], rgb)
        _show(self.split_original, rgb)
        self._titles[ORIGINAL] = title
        self._update_titles()
        size = None if rgb is None else (rgb.shape[1], rgb.shape[0])
        if size is not None and size != self._size:
            self._size = size
            self._place()  # in the arrangement that suits this picture's shape
            self._clip.setRect(self._clip_rect())
            self.divider.setBounds((0, size[0]))
            self.divider.setValue(self._split_at * size[0])
            self.fit()
            QTimer.singleShot(0, self._refit)  # again once the layout has its new cells

    def set_size(self, width: int, height: int) -> None:
        """The picture size when there is no original to show (a .nic file)."""
        if (width, height) != self._size:
            self._size = (width, height)
            self._place()
            self.divider.setBounds((0, width))
            self.divider.setValue(self._split_at * width)
            self.fit()

    def set_reconstruction(self, rgb: np.ndarray | None, title: str = "Reconstruction") -> None:
        """Show a reconstruction; the very array already on screen is not drawn again (a big
        picture's whole reconstruction comes ahead of its figures, then again with them)."""
        self.set_patch(None)
        if rgb is None or rgb is not self._reconstruction:
            self._reconstruction = rgb
            _show(self.items[RECONSTRUCTION], rgb)
        self._titles[RECONSTRUCTION] = title
        self._show_split_pair()
        self._update_titles()

    def set_patch(self, rgb: np.ndarray | None, rect: tuple[int, int, int, int] | None = None) -> None:
        """Lay ``rgb`` over the reconstruction at ``rect`` (x0, y0, x1, y1); None removes it."""
        self._patch_rect = rect if rgb is not None else None
        for item in (self.patch, self.split_patch):
            _show(item, rgb)
            if rgb is not None and rect is not None:
                item.setRect(QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]))
        self.split_patch.setVisible(not self._wipe_classic)  # the wipe shows nicgui on the other side

    @property
    def patch_rect(self) -> tuple[int, int, int, int] | None:
        """Where a part of a newer reconstruction is laid over the old one, if anywhere."""
        return self._patch_rect

    def visible_region(self) -> tuple[int, int, int, int] | None:
        """The part of the picture in the active view: (x0, y0, x1, y1) in pixels, or None."""
        if self._size is None:
            return None
        (vx0, vx1), (vy0, vy1) = self._active_boxes()[0].viewRange()
        w, h = self._size
        x0, y0 = max(0, math.floor(vx0)), max(0, math.floor(vy0))
        x1, y1 = min(w, math.ceil(vx1)), min(h, math.ceil(vy1))
        return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None

    def set_classic(self, rgb: np.ndarray | None, title: str = "Classical codec") -> None:
        """The classical codec's picture at nicgui's file size, in a view of its own (None hides it)."""
        self._classic = rgb
        _show(self.items[CLASSIC], rgb)
        self._place()  # a fourth view, or one fewer
        self._titles[CLASSIC] = title if rgb is not None else NO_CLASSIC
        if rgb is None and self._wipe_classic:
            self._wipe_classic = False
        self._show_split_pair()
        self._update_titles()

    def _show_split_pair(self) -> None:
        """The split view's two sides: original | nicgui, or nicgui | classical codec."""
        if self._wipe_classic and self._classic is not None:
            _show(self.split_original, self._reconstruction)
            _show(self.split_reconstruction, self._classic)
        else:
            _show(self.split_original, self._original)
            _show(self.split_reconstruction, self._reconstruction)

    # -- layout ----------------------------------------------------------------------------------
    def _title_height(self) -> float:
        return max(t.minimumHeight() for t in self.titles)

    def _bar_width(self) -> float:
        # kept free even while the bar is hidden, so that the views do not jump when an error map arrives
        return self.colour_bar.effectiveSizeHint(Qt.SizeHint.PreferredSize).width()

    def _area(self) -> tuple[float, float]:
        return (self.canvas.size().width(), self.canvas.size().height())

    def _resized(self) -> None:
        self._place(sticky=STICKY)  # while the window is dragged, do not flip between near-equal layouts

    def _place(self, sticky: float = 1.0) -> None:
        """Choose the arrangement for the picture and the area, and put the titles, views and colour
        bar in their cells (each no bigger than the fitted picture, the whole centred in the area);
        a fitted picture is fitted again when its cells change."""
        views = VIEWS if self._classic is not None else VIEWS - 1
        area = self._area()
        title_h, bar_w = self._title_height(), self._bar_width()
        if self._size is not None and area[0] > 0 and area[1] > 0:
            self._arrangement = best_arrangement(views, area, self._size, title_h, bar_w, self._arrangement, sticky)
        elif self._arrangement not in arrangements(views):  # no picture yet: the same shape, this many views
            self._arrangement = ROW_OF[views] if self._arrangement.rows == 1 else Arrangement(views, 1)
        arr = self._arrangement
        key = (arr, area, title_h, bar_w, views)
        if key == self._placed:
            return
        self._placed = key
        cell = cell_size(arr, area, title_h, bar_w)
        if self._size is not None:  # no wider or taller than the fitted picture needs: titles sit on their pictures
            fitted = picture_scale(cell, self._size)
            cell = Cell(min(cell.width, self._size[0] * fitted), min(cell.height, self._size[1] * fitted))
        # the cells and the colour bar as one block in the middle of the area
        block_w = arr.cols * (cell.width + SPACING) + bar_w
        block_h = arr.rows * (title_h + cell.height + SPACING) - SPACING
        left = max(float(MARGIN), (area[0] - block_w) / 2)
        top = max(float(MARGIN), (area[1] - block_h) / 2)
        cells = arr.rows * arr.cols  # the 2x2 grid of three views shows the comparison hint in the fourth cell
        for i in range(VIEWS):
            r, c = divmod(i, arr.cols)
            x = left + c * (cell.width + SPACING)
            y = top + r * (title_h + cell.height + SPACING)
            self.titles[i].setGeometry(QRectF(x, y, cell.width, title_h))
            self.boxes[i].setGeometry(QRectF(x, y + title_h, cell.width, cell.height))
            self.titles[i].setVisible(i < views or i < cells)
            self.boxes[i].setVisible(i < views)
        bar = QRectF(left + arr.cols * (cell.width + SPACING), top + title_h, bar_w, max(0.0, block_h - title_h))
        self.colour_bar.setGeometry(bar)
        if self._fitted and self._size is not None:
            self.fit()

    @property
    def arrangement(self) -> Arrangement:
        """How the side-by-side views are laid out now (rows, columns)."""
        return self._arrangement

    @property
    def grid(self) -> bool:
        """Whether the views are in a 2x2 grid (as landscape pictures are in a wide area)."""
        return self._arrangement == GRID

    def retitle(self, which: int, title: str) -> None:
        """Change one view's title only (say, that its picture is being recomputed)."""
        self._titles[which] = title
        self._update_titles()

    def set_heatmap(self, heat: Heatmap | None, title: str | None = None) -> None:
        self._heatmap = heat
        _show(self.items[HEATMAP], None if heat is None else heat.rgb)
        self.colour_bar.setVisible(heat is not None)  # no scale beside an empty view
        if heat is not None and (heat.kind, heat.levels) != self._bar_state:
            self._bar_state = (heat.kind, heat.levels)
            self.colour_bar.setColorMap(colour_map(heat.kind))
            self.colour_bar.getAxis("left").setLabel(
                "mean |error| (levels)" if heat.kind.is_absolute else "SSIM (1 = identical)"
            )
            self.colour_bar.setLevels(heat.levels)
        self._titles[HEATMAP] = title or ("Error" if heat is None else heat.kind.label)
        self._update_titles()

    def clear(self) -> None:
        self.set_original(None)
        self.set_reconstruction(None)
        self.set_heatmap(None)
        self.set_classic(None)
        self._size = None

    def _update_titles(self) -> None:
        """Set the titles that changed (each one re-lays out rich text: worth skipping)."""
        if self._titles == self._shown_titles:
            return
        for i, (label, text) in enumerate(zip(self.titles, self._titles, strict=True)):
            if text != self._shown_titles[i]:
                label.show_text(text)
        self._shown_titles = list(self._titles)
        left, right = (RECONSTRUCTION, CLASSIC) if self._wipe_classic else (ORIGINAL, RECONSTRUCTION)
        self.split_title.setText(f"◀ {self._titles[left]}   │   {self._titles[right]} ▶")

    @property
    def heatmap(self) -> Heatmap | None:
        """The error map on screen (nicgui's or the classical codec's)."""
        return self._heatmap

    @property
    def titles_text(self) -> list[str]:
        return list(self._titles)

    # -- modes -----------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    def _zoomed_by_hand(self, *_args: object) -> None:
        self._fitted = False
        self._zoom_update()

    def set_mode(self, mode: str) -> None:
        """Side by side or split. A fitted picture is fitted again in the new layout; a zoomed one
        keeps its centre and its magnification (not its rectangle, whose shape differs between the
        layouts: carrying it over shrank the picture at every switch)."""
        if mode == self._mode:
            return
        src, dst = (self.boxes[0], self.split_box) if mode == SPLIT else (self.split_box, self.boxes[0])
        rect = src.viewRect()
        scale = src.width() / rect.width() if rect.width() else 1.0  # screen pixels per picture pixel
        self._mode = mode
        self.stack.setCurrentIndex(1 if mode == SPLIT else 0)
        if self._size is not None:
            if self._fitted:
                self.fit()
                QTimer.singleShot(0, self._refit)  # once the new page has its final size
            else:
                w, h = dst.width() / scale, dst.height() / scale
                c = rect.center()
                dst.setRange(QRectF(c.x() - w / 2, c.y() - h / 2, w, h), padding=0)
        self.mode_changed.emit(mode)
        self._zoom_update()

    def _refit(self) -> None:
        if self._fitted:
            self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._fitted:
            QTimer.singleShot(0, self._refit)

    def show_split(self, which: int) -> None:
        """Keys 1/2/3: the split view showing the original, the reconstruction, or both halves;
        4: nicgui left, the classical codec right (when a comparison is on)."""
        self.set_mode(SPLIT)
        wipe = which == 4 and self._classic is not None
        if wipe != self._wipe_classic:
            self._wipe_classic = wipe
            self.split_patch.setVisible(not wipe and self._patch_rect is not None)
            self._show_split_pair()
            self._shown_titles = ["\0"] * VIEWS  # the split title changes with the pair: set everything again
            self._update_titles()
        self._split_at = {1: 1.0, 2: 0.0}.get(which, 0.5)
        if self._size is not None:
            self.divider.setValue(self._split_at * self._size[0])
            self._keep_divider_in_view()

    def _divider_moved(self) -> None:
        if self._size is not None:
            self._split_at = min(1.0, max(0.0, self.divider.value() / self._size[0]))
        self._clip.setRect(self._clip_rect())

    def _keep_divider_in_view(self, *_args: object) -> None:
        """After a zoom or pan of the split view, a divider between the halves (not at an edge:
        keys 1 and 2 show one picture whole) is moved into the part of the picture in view, a
        little in from its edges, so it can be seen and dragged."""
        if self._size is None or not 0.0 < self._split_at < 1.0:
            return
        (x0, x1), _ = self.split_box.viewRange()
        lo, hi = max(0.0, x0), min(float(self._size[0]), x1)
        if lo >= hi:
            return
        inset = (hi - lo) * DIVIDER_INSET
        x = self.divider.value()
        if not lo + inset <= x <= hi - inset:
            self.divider.setValue(min(hi - inset, max(lo + inset, x)))

    def _clip_rect(self) -> QRectF:
        if self._size is None:
            return QRectF()
        w, h = self._size
        x = min(float(w), max(0.0, self.divider.value()))
        return QRectF(x, 0.0, w - x, float(h))

    @property
    def split_position(self) -> float:
        """Where the divider is, as a fraction of the picture's width (0: all reconstruction)."""
        return self._split_at

    # -- zoom ------------------------------------------------------------------------------------
    def _active_boxes(self) -> list[pg.ViewBox]:
        return [self.split_box] if self._mode == SPLIT else [self.boxes[0]]

    def fit(self) -> None:
        """Fit the whole picture in the views."""
        if self._size is None:
            return
        w, h = self._size
        for vb in (self.boxes[0], self.split_box):
            vb.setRange(QRectF(0, 0, w, h), padding=FIT_PADDING)
        self._fitted = True
        self._zoom_update()

    def actual_pixels(self) -> None:
        """One picture pixel per physical screen pixel, keeping the centre.

        A view ``vb.width()`` logical pixels wide covers ``width x device pixel ratio`` physical
        ones, so on a 2x screen it shows twice as many picture pixels as its logical width.
        """
        if self._size is None:
            return
        ratio = self.devicePixelRatioF() or 1.0
        for vb in self._active_boxes():
            centre = vb.viewRect().center()
            w, h = vb.width() * ratio, vb.height() * ratio
            vb.setRange(QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h), padding=0)
        self._fitted = False
        self._zoom_update()

    def zoom_factor(self) -> float:
        """Physical screen pixels per picture pixel in the active view (1.0 at 'actual pixels')."""
        vb = self._active_boxes()[0]
        rect = vb.viewRect()
        ratio = self.devicePixelRatioF() or 1.0
        return vb.width() * ratio / rect.width() if rect.width() else 1.0

    def zoom_text(self) -> str:
        """The zoom level as shown: "fit · 37 %" while the whole picture is fitted, else "250 %"
        (physical screen pixels per picture pixel, 100 % at 'actual pixels'); '' without a picture."""
        if self._size is None:
            return ""
        percent = self.zoom_factor() * 100
        shown = f"{percent:.0f} %" if percent >= 10 else f"{percent:.1f} %"
        return f"fit · {shown}" if self._fitted else shown

    def _zoom_update(self, *_args: object) -> None:
        text = self.zoom_text()
        if text != self._zoom_shown:
            self._zoom_shown = text
            self.zoom_changed.emit(text)

    # -- what is under the cursor ----------------------------------------------------------------
    def pixel_text(self, x: int, y: int) -> str:
        """The values at picture pixel (x, y) in every view, or '' outside the picture."""
        if self._size is None or not (0 <= x < self._size[0] and 0 <= y < self._size[1]):
            return ""
        parts = [f"x {x}, y {y}"]
        if self._original is not None:
            parts.append("original " + " ".join(str(int(v)) for v in self._original[y, x]))
        if self._reconstruction is not None:
            name = self._titles[RECONSTRUCTION].split(" · ")[0].lower()
            parts.append(f"{name} " + " ".join(str(int(v)) for v in self._reconstruction[y, x]))
        if self._classic is not None:  # its own view, or the right of the nicgui | classical wipe
            name = self._titles[CLASSIC].split(" · ")[0]
            parts.append(f"{name} " + " ".join(str(int(v)) for v in self._classic[y, x]))
        if self._heatmap is not None:
            v = float(self._heatmap.values[y, x])
            parts.append(f"|error| {v:.1f}" if self._heatmap.kind.is_absolute else f"SSIM {v:.3f}")
        return "   ".join(parts)

    def _emit_at(self, vb: pg.ViewBox, pos: QPointF) -> None:
        p = vb.mapSceneToView(pos)
        self.cursor_text.emit(self.pixel_text(math.floor(p.x()), math.floor(p.y())))

    def _moved_side(self, pos: QPointF) -> None:
        for vb in self.boxes:
            if vb.isVisible() and vb.sceneBoundingRect().contains(pos):
                self._emit_at(vb, pos)
                return
        self.cursor_text.emit("")

    def _moved_split(self, pos: QPointF) -> None:
        if self.split_box.sceneBoundingRect().contains(pos):
            self._emit_at(self.split_box, pos)
        else:
            self.cursor_text.emit("")
