"""The main window: menus, toolbar, views, readouts, latent inspector, file list and messages.

It turns user actions into calls on the client and puts results on screen; it never runs the
model or computes on pixels itself.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QKeySequence,
    QStandardItemModel,
    QStatusTipEvent,
)
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nicgui.app.heatmaps import HeatmapKind
from nicgui.app.results import (
    ClassicOutcome,
    Failure,
    Loaded,
    ModelReady,
    Outcome,
    Preview,
    Saved,
    SourceStats,
    Stage,
    WorkProgress,
    WorkStage,
)
from nicgui.app.session import ViewState
from nicgui.app.source import Source
from nicgui.app.text import (
    CANCELLED_NOTICE,
    format_bytes,
    model_choice,
    waiting_header,
    waiting_title,
    window_title,
)
from nicgui.app.verdict import compare
from nicgui.codec import classic
from nicgui.codec.bitstream import NIC_SUFFIX
from nicgui.gui import theme
from nicgui.gui.batch import BatchDialog
from nicgui.gui.client import CodecClient
from nicgui.gui.files import OPEN_FILTER, expand
from nicgui.gui.inspector import LatentInspector
from nicgui.gui.mime import can_open, sources_from_mime
from nicgui.gui.readouts import Readouts, classic_column, neural_column, nic_column
from nicgui.gui.settings import Settings
from nicgui.gui.tooltips import wrap_tooltips, wrapped
from nicgui.gui.views import RECONSTRUCTION, SIDE, SPLIT, ImageViews

log = logging.getLogger(__name__)

INSPECTOR_DELAY_MS = 40  # the inspector redraws this long after a new result, in a paint of its own
PROGRESS_DELAY_MS = 1000  # work that takes longer than this gets a progress bar

EMPTY_HINT = (
    "<p style='font-size:20pt'>Drop images or .nic files here</p>"
    "<p>or choose <b>File ▸ Open…</b> (Ctrl+O), or paste an image (Ctrl+V).</p>"
    "<p style='color:#9aa0a6'>PNG, JPEG, WebP, TIFF, BMP and more. Several files at once make a list "
    "to step through (Page Up / Page Down).</p>"
)
QUALITY_TIP = (
    "Quality 1–100: higher keeps more detail and makes a bigger file. Moving it only re-quantises "
    "the cached latents, entropy-codes and decodes; results show as soon as they are ready."
)


class MessageBar(QFrame):
    """A dismissable one-line message above the pictures, for errors the user should see."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.hide()

    def show_message(self, text: str, error: bool = True) -> None:
        colour = "#5c2b29" if error else "#1e3a5f"
        self.setStyleSheet(f"MessageBar {{ background: {colour}; }} QLabel {{ color: #ffffff; }}")
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


DEFAULT_SIZE = (1500, 950)  # logical pixels, on a screen that has room for it


def default_size(available: tuple[int, int]) -> tuple[int, int]:
    """The window's first size: DEFAULT_SIZE within 90 % of the screen's available area (a 2x
    HiDPI 1920x1080 screen has 960x540 logical pixels: the window opened larger than the screen)."""
    return min(DEFAULT_SIZE[0], int(available[0] * 0.9)), min(DEFAULT_SIZE[1], int(available[1] * 0.9))


class MainWindow(QMainWindow):
    """nicgui's window. ``result_shown`` fires once a result is on screen (for tests and benchmarks)."""

    result_shown = Signal(object)  # Outcome
    preview_shown = Signal(object)  # Preview laid over the reconstruction
    classic_shown = Signal(object)  # ClassicOutcome
    loaded_shown = Signal(object)  # Loaded

    def __init__(self, client: CodecClient, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app)  # one dark theme for frame, docks, readouts, dialogs and plots
        self.client = client
        self.settings = settings
        self.sources: list[Source] = []
        self.index = -1
        self.loaded: Loaded | None = None
        self.outcome: Outcome | None = None
        self.classic_outcome: ClassicOutcome | None = None
        self._shown_before: tuple[Loaded, Outcome | None, ClassicOutcome | None] | None = None
        self.model: ModelReady | None = None
        self._png: dict[str, int] = {}
        self._early_quality: int | None = None  # a whole reconstruction on screen ahead of its figures
        self._saves: dict[int, str] = {}
        self._paste_serial = 0
        self._status_tip = ""  # the hovered action's status tip on the status bar, if any
        self.batch_dialog: BatchDialog | None = None
        self._focused_once = False

        self.setWindowTitle("nicgui")
        self.setAcceptDrops(True)
        self.resize(*default_size(self.screen().availableGeometry().size().toTuple()))
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._build_status()
        self._restore()
        self._connect_client()
        wrap_tooltips(self)  # long tooltips wrap instead of running across the screen
        for view in self.findChildren(QGraphicsView):  # pictures and plots: drops go to the window
            view.setAcceptDrops(False)
            view.viewport().setAcceptDrops(False)

        client.start()

    # == construction ==============================================================================
    def _build_central(self) -> None:
        self.message = MessageBar()
        self.empty = QLabel(EMPTY_HINT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # holds the keys until a picture is open
        self.empty.setStyleSheet("QLabel { border: 2px dashed #5f6368; border-radius: 12px; margin: 24px; }")
        self.views = ImageViews()
        self.views.cursor_text.connect(self._cursor)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.views)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.message)
        lay.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        # laid over the pictures while files are dragged over the window
        self.drop_highlight = QLabel("Drop to open", central)
        self.drop_highlight.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_highlight.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.drop_highlight.setStyleSheet(
            "QLabel { background: rgba(138, 180, 248, 60); color: #ffffff; font-size: 20pt;"
            " border: 3px dashed #8ab4f8; border-radius: 12px; }"
        )
        self.drop_highlight.hide()

    def _build_docks(self) -> None:
        self.readouts = Readouts()
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setContentsMargins(6, 6, 6, 0)
        panel = QWidget()
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.info)
        pl.addWidget(self.readouts, 1)
        self.readouts_dock = self._dock("Readouts", panel, Qt.DockWidgetArea.RightDockWidgetArea)

        self.inspector = LatentInspector()
        self.inspector_dock = self._dock("Latent inspector", self.inspector, Qt.DockWidgetArea.BottomDockWidgetArea)
        # The inspector redraws a little after the pictures (once they are painted), and only
        # while it is visible: two short pauses of the interface instead of one long one.
        self._latents_pending: tuple | None = None
        self._inspector_timer = QTimer(self)
        self._inspector_timer.setSingleShot(True)
        self._inspector_timer.setInterval(INSPECTOR_DELAY_MS)
        self._inspector_timer.timeout.connect(self._update_inspector)
        self.inspector_dock.visibilityChanged.connect(lambda visible: visible and self._inspector_timer.start())

        self.file_list = QListWidget()
        self.file_list.currentRowChanged.connect(self._row_chosen)
        self.file_list.setToolTip("Files opened together; Page Up / Page Down step through them.")
        self.files_dock = self._dock("Files", self.file_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.files_dock.hide()

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower())
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work even when menus and toolbar are hidden
        return a

    def _build_actions(self) -> None:
        def keys(k: QKeySequence.StandardKey) -> QKeySequence:
            return QKeySequence(k)

        std = QKeySequence.StandardKey
        self.open_action = self._action("&Open…", self.open_dialog, keys(std.Open), "Open images or .nic files")
        self.paste_action = self._action("&Paste image", self.paste, keys(std.Paste), "Open the image on the clipboard")
        self.save_action = self._action(
            "&Save .nic…", lambda: self.save_nic(), keys(std.Save), "Save the compressed file at the current quality"
        )
        self.export_action = self._action(
            "&Export reconstruction as PNG…",
            lambda: self.export_png(),
            "Ctrl+E",
            "Save the decoded picture as a lossless PNG",
        )
        self.heatmap_action = self._action(
            "Export error &heatmap as PNG…",
            lambda: self.export_heatmap(),
            "Ctrl+Shift+E",
            "Save the coloured error map",
        )
        self.batch_action = self._action(
            "&Batch compress…", self.open_batch, "Ctrl+B", "Compress a folder or the file list to .nic"
        )
        # Page keys move a focused slider or number box; elsewhere they switch files
        paging = (QAbstractSlider, QAbstractSpinBox)
        self.next_action = self._action(
            "&Next file", self._unless_focused(paging, Qt.Key.Key_PageDown, "", lambda: self.step(1)), "PgDown"
        )
        self.prev_action = self._action(
            "P&revious file", self._unless_focused(paging, Qt.Key.Key_PageUp, "", lambda: self.step(-1)), "PgUp"
        )
        self.quit_action = self._action("&Quit", self.close, keys(std.Quit))

        # digits and letters typed into a number or text box are text, not view shortcuts
        typing = (QAbstractSpinBox, QLineEdit)

        def typed(key: Qt.Key, text: str, slot: Callable[[], object]) -> Callable[[], None]:
            return self._unless_focused(typing, key, text, slot)

        self.side_action = self._action(
            "&Side by side",
            typed(Qt.Key.Key_0, "0", lambda: self.set_view_mode(SIDE)),
            "0",
            "Original, reconstruction and error map next to each other",
        )
        self.split_original = self._action(
            "Split: &original", typed(Qt.Key.Key_1, "1", lambda: self.views.show_split(1)), "1"
        )
        self.split_reconstruction = self._action(
            "Split: &reconstruction", typed(Qt.Key.Key_2, "2", lambda: self.views.show_split(2)), "2"
        )
        self.split_both = self._action(
            "Split: &both halves",
            typed(Qt.Key.Key_3, "3", lambda: self.views.show_split(3)),
            "3",
            "Original left, reconstruction right of a draggable divider",
        )
        self.split_classic = self._action(
            "Split: nicgui vs &classical codec",
            typed(Qt.Key.Key_4, "4", lambda: self.views.show_split(4)),
            "4",
            "nicgui left, the classical codec at the same file size right (choose a codec to compare first)",
        )
        self.fit_action = self._action("&Fit to window", self.views.fit, "Ctrl+0")
        self.actual_action = self._action("&Actual pixels (1:1)", self.views.actual_pixels, "Ctrl+1")
        self.show_classic = self._action(
            "Error map of the classical codec",
            self._refresh_views,
            "C",
            "Show the classical codec's error map instead of nicgui's (its picture has a view of its own)",
        )
        self.show_classic.setCheckable(True)
        self.show_classic.setChecked(False)
        self.about_action = self._action("&About nicgui", self.about)
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", self.show_shortcuts, "F1", "Every key the window answers to"
        )
        self.shortcuts_dialog: QDialog | None = None
        self.export_action.setIconText("Export PNG")
        style = self.style()
        for action, icon in (
            (self.open_action, QStyle.StandardPixmap.SP_DialogOpenButton),
            (self.save_action, QStyle.StandardPixmap.SP_DialogSaveButton),
            (self.export_action, QStyle.StandardPixmap.SP_FileDialogDetailedView),
            (self.batch_action, QStyle.StandardPixmap.SP_DirIcon),
            (self.about_action, QStyle.StandardPixmap.SP_MessageBoxInformation),
        ):
            action.setIcon(style.standardIcon(icon))
        for a in (self.save_action, self.export_action, self.heatmap_action):
            a.setEnabled(False)

    @staticmethod
    def _unless_focused(
        inputs: tuple[type, ...], key: Qt.Key, text: str, slot: Callable[[], object]
    ) -> Callable[[], None]:
        """A shortcut's slot that hands its key to a focused input of these kinds instead."""

        def run() -> None:
            focused = QApplication.focusWidget()
            if focused is not None and isinstance(focused, inputs):
                # straight to the widget: through the application the key would be this shortcut again
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    focused.event(QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))
                return
            slot()

        return run

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(tb)
        tb.addAction(self.open_action)
        tb.addAction(self.save_action)
        tb.addAction(self.export_action)
        tb.addSeparator()
        tb.addWidget(QLabel(" Quality "))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(1, 100)
        self.slider.setFixedWidth(160)  # the toolbar fits a 1280-pixel window
        self.slider.setPageStep(5)
        self.slider.setToolTip(QUALITY_TIP)
        self.spin = QSpinBox()
        self.spin.setRange(1, 100)
        self.spin.setToolTip(QUALITY_TIP)
        self.slider.setValue(self.settings.quality)
        self.spin.setValue(self.settings.quality)
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(self.slider.setValue)
        tb.addWidget(self.slider)
        tb.addWidget(self.spin)
        tb.addSeparator()
        tb.addWidget(QLabel(" Error map "))
        self.heatmap_box = QComboBox()
        self.heatmap_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.heatmap_box.setMinimumContentsLength(14)  # long names are shown in full in the open list
        for kind in HeatmapKind:
            self.heatmap_box.addItem(kind.label, kind.value)
        self.heatmap_box.setToolTip(
            "Absolute error: mean |original − reconstruction| per pixel (0–255 levels).\n"
            "SSIM map: local structural similarity, 1 = identical."
        )
        self.heatmap_box.currentIndexChanged.connect(self._heatmap_chosen)
        tb.addWidget(self.heatmap_box)
        tb.addSeparator()
        tb.addWidget(QLabel(" Compare with "))
        self.compare_box = QComboBox()
        self.compare_box.addItem("nothing", None)
        for name, label in classic.NAMES.items():
            self.compare_box.addItem(label, name)
            if not classic.available(name):
                model = self.compare_box.model()
                assert isinstance(model, QStandardItemModel)
                model.item(self.compare_box.count() - 1).setEnabled(False)
        self.compare_box.setToolTip(
            "Encode the original with a classical codec at the same file size as the current .nic "
            "and show it with the same metrics."
        )
        self.compare_box.currentIndexChanged.connect(self._compare_chosen)
        tb.addWidget(self.compare_box)
        tb.addSeparator()
        self.mode_box = QComboBox()
        self.mode_box.addItem("Side by side", SIDE)
        self.mode_box.addItem("Split", SPLIT)
        self.mode_box.setToolTip("Side by side (key 0) or split view with a divider (keys 1, 2, 3)")
        self.mode_box.currentIndexChanged.connect(lambda i: self.set_view_mode(self.mode_box.itemData(i)))
        tb.addWidget(self.mode_box)
        tb.addAction(self.fit_action)
        tb.addAction(self.actual_action)
        self.views.mode_changed.connect(self._mode_changed)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        f.addAction(self.open_action)
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        f.addAction(self.paste_action)
        f.addSeparator()
        f.addAction(self.save_action)
        f.addAction(self.export_action)
        f.addAction(self.heatmap_action)
        f.addSeparator()
        f.addAction(self.batch_action)
        f.addSeparator()
        f.addAction(self.next_action)
        f.addAction(self.prev_action)
        f.addSeparator()
        f.addAction(self.quit_action)

        v = mb.addMenu("&View")
        v.addAction(self.side_action)
        v.addAction(self.split_original)
        v.addAction(self.split_reconstruction)
        v.addAction(self.split_both)
        v.addAction(self.split_classic)
        v.addSeparator()
        v.addAction(self.fit_action)
        v.addAction(self.actual_action)
        v.addSeparator()
        heat = v.addMenu("Error map")
        group = QActionGroup(self)
        self.heatmap_actions: dict[HeatmapKind, QAction] = {}
        for kind in HeatmapKind:
            a = heat.addAction(kind.label)
            a.setCheckable(True)
            group.addAction(a)
            a.triggered.connect(lambda _=False, k=kind: self.heatmap_box.setCurrentIndex(list(HeatmapKind).index(k)))
            self.heatmap_actions[kind] = a
        v.addAction(self.show_classic)
        v.addSeparator()
        for dock in (self.readouts_dock, self.inspector_dock, self.files_dock):
            v.addAction(dock.toggleViewAction())

        d = mb.addMenu("&Device")
        group = QActionGroup(self)
        self.device_actions: dict[str, QAction] = {}
        from nicgui.codec.api import cuda_available

        cuda = cuda_available()

        for dev, label in (("cpu", "CPU"), ("cuda", "CUDA GPU")):
            a = d.addAction(label)
            a.setCheckable(True)
            a.setEnabled(dev == "cpu" or cuda)
            if dev == "cuda" and not cuda:
                a.setText("CUDA GPU (none found)")
            group.addAction(a)
            a.triggered.connect(lambda _=False, x=dev: self.set_device(x))
            self.device_actions[dev] = a
        d.addSeparator()
        from nicgui.codec.precision import cpu_computes_bfloat16

        self.fast_native = cpu_computes_bfloat16()
        self.fast_action = d.addAction("Fast arithmetic (bfloat16)")
        self.fast_action.setCheckable(True)
        self.fast_action.setEnabled(False)  # until the model is ready
        self.fast_action.setToolTip(
            "Run the networks in bfloat16 on a CPU that computes it natively: about twice as fast, "
            "reconstructions about 60 dB (PSNR) from float32's. Off: float32, the arithmetic of "
            "`nicgui eval`. Files are the same either way to decode."
            if self.fast_native
            else "This CPU has no bfloat16 instructions: the networks run in float32."
        )
        self.fast_action.triggered.connect(self.set_fast_arithmetic)

        self.model_menu = mb.addMenu("&Model")
        self.model_actions: dict[str, QAction] = {}
        model_group = QActionGroup(self)
        from nicgui.codec.weights import installed_models

        for m in installed_models():
            a = self.model_menu.addAction(model_choice(m.name, m.model, m.family))
            a.setCheckable(True)
            a.setToolTip(f"Compress with the installed model {m.name}: {m.model}, a {m.family} model")
            model_group.addAction(a)
            a.triggered.connect(lambda _=False, x=m.name: self.set_model(x))
            self.model_actions[m.name] = a

        h = mb.addMenu("&Help")
        h.addAction(self.shortcuts_action)
        h.addAction(self.about_action)
        for menu in (f, v, d, self.model_menu, h, self.recent_menu, heat):
            menu.aboutToHide.connect(self._clear_status_tip)  # its hovered entry's tip goes with it

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.cursor_label = QLabel("")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.cursor_label.setFont(font)
        self.busy_label = QLabel("working…")  # static: an animated bar would repaint all the time
        self.busy_label.setToolTip("The worker is computing; the window stays usable meanwhile")
        self.busy_label.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the work in flight (it stops between tiles)")
        self.cancel_button.clicked.connect(self.client.cancel)
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setMaximumHeight(self.busy_label.sizeHint().height())  # the status bar keeps its height
        self.cancel_button.hide()
        self.progress_bar = QProgressBar()  # only for waits of more than a second (PROGRESS_DELAY_MS)
        self.progress_bar.setFixedWidth(120)
        self.progress_bar.setMaximumHeight(self.busy_label.sizeHint().height())
        self.progress_bar.setRange(0, 0)  # "busy" until the work says how far it got
        self.progress_bar.hide()
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._long_wait)
        self.zoom_label = QLabel("")
        self.zoom_label.setToolTip("Zoom: screen pixels per picture pixel (Ctrl+0 fits, Ctrl+1 is 100 %)")
        self.views.zoom_changed.connect(self.zoom_label.setText)
        self.device_label = QLabel("loading model…")
        sb.addWidget(self.cursor_label, 1)
        sb.addPermanentWidget(self.busy_label)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.zoom_label)
        sb.addPermanentWidget(self.device_label)

    def _restore(self) -> None:
        s = self.settings
        if s.geometry is not None:
            self.restoreGeometry(s.geometry)
        self._default_layout = s.window_state is None or not self.restoreState(s.window_state)
        self.files_dock.hide()
        self.heatmap_box.setCurrentIndex(list(HeatmapKind).index(s.heatmap))
        self.heatmap_actions[s.heatmap].setChecked(True)
        idx = self.compare_box.findData(s.compare)
        self.compare_box.setCurrentIndex(max(0, idx))
        self.set_view_mode(s.view_mode)
        self.client.state = ViewState(None, self.slider.value(), s.heatmap, self.compare_box.currentData())

    def _connect_client(self) -> None:
        c = self.client
        c.ready.connect(self._ready)
        c.loaded.connect(self._loaded)
        c.outcome.connect(self._outcome)
        c.classic.connect(self._classic)
        c.preview.connect(self._preview)
        c.source_stats.connect(self._stats)
        c.failed.connect(self._failed)
        c.saved.connect(self._saved)
        c.busy_changed.connect(self._busy_changed)
        c.progress.connect(self._progress)
        c.cancelled.connect(self._cancelled)

    # == opening ===================================================================================
    def open_dialog(self) -> None:
        start = str(self.settings.open_dir or Path.home())
        names, _ = QFileDialog.getOpenFileNames(self, "Open images or .nic files", start, OPEN_FILTER)
        if names:
            self.open_paths([Path(n) for n in names])

    def open_paths(self, paths: list[Path]) -> None:
        """Open files (folders: their images); several make a list to step through."""
        files = expand(paths)
        if not files:
            self.message.show_message("Nothing to open there: no image or .nic files found.")
            return
        self.settings.open_dir = files[0].parent
        self.open_sources([Source.from_path(p) for p in files])

    def open_sources(self, sources: list[Source]) -> None:
        if not sources:
            return
        self.sources = list(sources)
        with QSignalBlocker(self.file_list):
            self.file_list.clear()
            for s in self.sources:
                item = QListWidgetItem(s.name)
                item.setToolTip(str(s.path) if s.path else s.name)
                self.file_list.addItem(item)
        self.files_dock.setVisible(len(self.sources) > 1)
        self.select(0)

    def select(self, index: int) -> None:
        if not 0 <= index < len(self.sources):
            return
        self.index = index
        with QSignalBlocker(self.file_list):
            self.file_list.setCurrentRow(index)
        source = self.sources[index]
        if source.path is not None:
            self.settings.add_recent(source.path)
        self.message.hide()
        if self.loaded is None or source.key != self.loaded.source.key:  # the same picture stays as it is
            self._show_opening(source.name)
        self.client.open(source)

    def _show_opening(self, name: str) -> None:
        """Every panel leaves the previous picture at once: nothing shown belongs to another file.

        What was shown is kept aside: if the new file cannot be opened, it comes back (the client
        goes back to it too, so the slider keeps working on it).
        """
        if self.loaded is not None:
            self._shown_before = (self.loaded, self.outcome, self.classic_outcome)
        self.loaded = None
        self.outcome = None
        self.classic_outcome = None
        self.setWindowTitle(window_title(name, opening=True))
        self.views.set_original(None, f"Opening {name}…")
        self.views.set_reconstruction(None, "Reconstruction · working…")
        self.views.set_heatmap(None)
        self.views.set_classic(None)  # the comparison was of the last picture
        self.readouts.set_column(0, f"{name} · working…", {})
        self.readouts.set_column(1, "", None)
        self._clear_inspector(f"Opening {name}…")
        self._update_info(opening=name)
        self.cursor_label.setText("")
        for a in (self.save_action, self.export_action, self.heatmap_action):
            a.setEnabled(False)

    def _clear_inspector(self, why: str) -> None:
        self._latents_pending = None
        self.inspector.clear(why)

    def step(self, delta: int) -> None:
        if self.sources:
            self.select((self.index + delta) % len(self.sources))

    def _row_chosen(self, row: int) -> None:
        if row != self.index:
            self.select(row)

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        self._paste_serial += 1
        sources = sources_from_mime(mime, self._paste_serial) if mime is not None else []
        if not sources:
            self.message.show_message("The clipboard holds no image or image file.")
            return
        self.open_sources(sources)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if can_open(event.mimeData()):
            event.acceptProposedAction()
            self._highlight_drop(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self._highlight_drop(False)
        super().dragLeaveEvent(event)

    def _highlight_drop(self, on: bool) -> None:
        """The pictures' area lights up while something that can be opened is dragged over it."""
        parent = self.drop_highlight.parentWidget()
        if on and parent is not None:
            self.drop_highlight.setGeometry(parent.rect().adjusted(8, 8, -8, -8))
            self.drop_highlight.raise_()
        self.drop_highlight.setVisible(on)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if can_open(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._highlight_drop(False)
        self._paste_serial += 1
        sources = sources_from_mime(event.mimeData(), self._paste_serial, "Dropped image")
        if not sources:
            event.ignore()
            self.message.show_message("Nothing to open in what was dropped.")
            return
        event.acceptProposedAction()
        first = sources[0].path
        if first is not None:
            self.settings.open_dir = first.parent
        self.open_sources(sources)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent
        for p in recent:
            a = self.recent_menu.addAction(p.name)
            a.setToolTip(str(p))
            a.triggered.connect(lambda _=False, path=p: self.open_paths([path]))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent)
        else:
            self.recent_menu.addAction("(none)").setEnabled(False)

    # == what the user changes =====================================================================
    def _slider_moved(self, q: int) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(q)
        self.settings.quality = q
        if self.loaded is None or self.loaded.nic is None:
            o = self.outcome
            if o is not None and o.quality != q:  # what is shown is labelled as the old quality
                self.views.set_patch(None)  # a part of an earlier move's quality: not what is coming
                shown = self._early_quality or o.quality
                self.views.retitle(RECONSTRUCTION, f"nicgui q{shown} · computing q{q}…")
                png = self._png.get(self.loaded.source.key) if self.loaded is not None else None
                self.readouts.set_column(0, f"nicgui q{o.quality} · computing q{q}…", neural_column(o, png))
            self.client.set_view(self.views.visible_region())
            self.client.set_quality(q)
            if self.outcome is None and self.loaded is not None:  # nothing of this picture yet: what is coming
                self.views.set_reconstruction(None, waiting_title(q, self.client.activity))
                self.readouts.set_column(0, waiting_header(q, self.client.activity), {})
                self._clear_inspector(f"Computing the latents of {self.loaded.source.name} at quality {q}…")

    def set_quality(self, q: int) -> None:
        self.slider.setValue(q)

    def _show_quality(self, q: int) -> None:
        """Show ``q`` on the slider and in its box without asking for it (it is already coming)."""
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            self.slider.setValue(q)
            self.spin.setValue(q)

    def _heatmap_chosen(self, index: int) -> None:
        kind = HeatmapKind(self.heatmap_box.itemData(index))
        self.settings.heatmap = kind
        self.heatmap_actions[kind].setChecked(True)
        self.client.set_heatmap(kind)

    def _compare_chosen(self, index: int) -> None:
        codec = self.compare_box.itemData(index)
        self.settings.compare = codec
        self.classic_outcome = None
        self.readouts.set_column(1, "", None)
        self.client.set_compare(codec)
        self._refresh_views()

    def set_view_mode(self, mode: str) -> None:
        self.views.set_mode(mode)
        self._mode_changed(mode)

    def _mode_changed(self, mode: str) -> None:
        self.settings.view_mode = mode
        with QSignalBlocker(self.mode_box):
            self.mode_box.setCurrentIndex(self.mode_box.findData(mode))

    def set_device(self, device: str) -> None:
        self.settings.device = device
        self.device_label.setText(f"moving model to {device}…")
        self.client.set_device(device)

    def set_fast_arithmetic(self, on: bool) -> None:
        """bfloat16 networks where the CPU computes them natively (auto), or float32 (remembered)."""
        self.settings.precision = "auto" if on else "float32"
        self.device_label.setText("switching arithmetic…")
        self.client.set_precision(self.settings.precision)

    def set_model(self, name: str) -> None:
        """Compress with another installed model from now on (remembered for the next start)."""
        self.settings.model = name
        self.device_label.setText(f"loading model {name}…")
        self.client.set_model(name)

    # == results ===================================================================================
    def _ready(self, m: ModelReady) -> None:
        first = self.model is None
        self.model = m
        self.device_label.setText(f"{m.identity} on {m.device}, {m.precision}")
        self.device_label.setToolTip(
            "The model, the device it runs on and the arithmetic of its networks (bfloat16 where the CPU "
            "computes it natively: about twice as fast); the Device menu switches both"
        )
        dev = "cuda" if m.device.startswith("cuda") else "cpu"
        self.device_actions[dev].setChecked(True)
        self.fast_action.setChecked(m.precision == "bfloat16")
        self.fast_action.setEnabled(dev == "cpu" and (self.fast_native or m.precision == "bfloat16"))
        if m.model in self.model_actions:
            self.model_actions[m.model].setChecked(True)
        if not first:
            self.client.refresh()
        self._update_info()

    def _loaded(self, r: Loaded) -> None:
        self.loaded = r
        self.outcome = None
        self._early_quality = None
        self.classic_outcome = None
        moving_focus = self.empty.hasFocus()
        self.pages.setCurrentWidget(self.views)
        if moving_focus:
            self._focus_pictures()
        pic = r.picture
        self.views.set_classic(None)  # nothing of another picture stays beside this one
        if r.nic is not None:
            h = r.nic.header
            self.setWindowTitle(window_title(r.source.name, h.quality))
            self.views.set_original(None, "Original — a .nic file holds only the compressed picture")
            self.views.set_size(pic.width, pic.height)
            self.views.set_reconstruction(r.pixels, f"Decoded .nic · quality {h.quality} · {format_bytes(r.nic.size)}")
            self.views.set_heatmap(None, "Error — needs the original")
            self.readouts.set_column(0, f".nic q{h.quality}", nic_column(r, self._png.get(r.source.key)))
            self.readouts.set_column(1, "", None)
            self._show_latents(r.nic.latents, r.thumbnail, (pic.width, pic.height))
            self._show_quality(h.quality)
        else:
            q = self.settings.quality
            self.setWindowTitle(window_title(r.source.name))
            self.views.set_original(r.pixels, f"Original · {pic.width}×{pic.height} {pic.mode}")
            self.views.set_reconstruction(None, waiting_title(q, self.client.activity))
            self.views.set_heatmap(None)
            self.readouts.set_column(0, waiting_header(q, self.client.activity), {})
            self.readouts.set_column(1, "", None)
            self._clear_inspector(f"Computing the latents of {r.source.name} at quality {q}…")
            if self.slider.value() != q:
                self._show_quality(q)
        is_nic = r.nic is not None
        for w in (self.slider, self.spin, self.compare_box):
            w.setEnabled(not is_nic)
        nic_tip = "A .nic file has one quality; open the original image to try others."
        self.slider.setToolTip(wrapped(nic_tip if is_nic else QUALITY_TIP))
        self.spin.setToolTip(wrapped(nic_tip if is_nic else QUALITY_TIP))
        self.save_action.setEnabled(False)
        self.export_action.setEnabled(is_nic)
        self.heatmap_action.setEnabled(False)
        self._update_info()
        self.loaded_shown.emit(r)

    def _outcome(self, o: Outcome) -> None:
        if self.loaded is None or o.source_key != self.loaded.source.key:
            return
        self.outcome = o
        self.setWindowTitle(window_title(self.loaded.source.name, o.quality))
        self._drop_cancel_notice()
        if self.classic_outcome is not None and self.classic_outcome.quality != o.quality:
            self.classic_outcome = None
            if self.compare_box.currentData():
                self.readouts.set_column(1, f"{self.compare_box.currentText()} · working…", {})
        self._refresh_views()
        self._refresh_readouts()
        pic = o.reconstruction
        self._show_latents(o.latents, self.loaded.thumbnail, (pic.width, pic.height))
        for a in (self.save_action, self.export_action, self.heatmap_action):
            a.setEnabled(True)
        self.result_shown.emit(o)

    def _preview(self, p: Preview) -> None:
        """A big picture's new reconstruction ahead of its figures: the part on screen (laid over
        the reconstruction shown), or the whole (also the first one of a picture)."""
        if self.loaded is None or p.source_key != self.loaded.source.key:
            return
        if p.rect == (0, 0, self.loaded.picture.width, self.loaded.picture.height):  # the whole, drawn once
            self.views.set_reconstruction(p.rgb, f"nicgui q{p.quality} · figures computing…")
            self._early_quality = p.quality
        elif self.outcome is None or self.outcome.source_key != p.source_key:
            return  # nothing of this picture to lay the part over
        else:
            self.views.set_patch(p.rgb, p.rect)
            self.views.retitle(
                RECONSTRUCTION, f"nicgui q{p.quality} · in view ({p.seconds:.1f} s) · rest and figures computing…"
            )
        self.preview_shown.emit(p)

    def _show_latents(self, latents, thumbnail, size: tuple[int, int]) -> None:
        self._latents_pending = (latents, thumbnail, size)
        self._inspector_timer.start()

    def _update_inspector(self) -> None:
        if self._latents_pending is not None and self.inspector.isVisible():
            self.inspector.set_latents(*self._latents_pending)
            self._latents_pending = None

    @property
    def inspector_pending(self) -> bool:
        """Whether the inspector has yet to show the latest latents (it waits while hidden)."""
        return self._latents_pending is not None

    def _classic(self, c: ClassicOutcome) -> None:
        if self.outcome is None or c.source_key != self.outcome.source_key or c.quality != self.outcome.quality:
            return
        self.classic_outcome = c
        self._refresh_views()
        self._refresh_readouts()
        self.classic_shown.emit(c)

    def _stats(self, s: SourceStats) -> None:
        self._png[s.source_key] = s.png_bytes
        if self.loaded is not None and self.loaded.source.key == s.source_key:
            self._refresh_readouts()

    def _refresh_views(self) -> None:
        """nicgui's picture and error map, and the classical codec's picture in a view of its own."""
        self._early_quality = None
        o, c = self.outcome, self.classic_outcome
        if o is None:
            self.views.set_classic(None)
            return
        self.views.set_reconstruction(o.pixels, f"nicgui q{o.quality} · {format_bytes(o.size)}")
        if c is not None and self.compare_box.currentData():
            self.views.set_classic(c.pixels, f"{c.label} · {format_bytes(c.size)} ({c.budget_text})")
            if self.show_classic.isChecked():
                self.views.set_heatmap(c.heatmap, f"{c.heatmap.kind.label} · {c.label}")
                return
        else:
            self.views.set_classic(None)
        self.views.set_heatmap(o.heatmap, f"{o.heatmap.kind.label} · nicgui q{o.quality}")

    def _refresh_readouts(self) -> None:
        if self.loaded is None:
            return
        png = self._png.get(self.loaded.source.key)
        if self.loaded.nic is not None:
            self.readouts.set_column(0, f".nic q{self.loaded.nic.header.quality}", nic_column(self.loaded, png))
            return
        if self.outcome is not None:
            self.readouts.set_column(0, f"nicgui q{self.outcome.quality}", neural_column(self.outcome, png))
        c = self.classic_outcome
        if c is not None and self.compare_box.currentData():
            self.readouts.set_column(1, c.label, classic_column(c, self.loaded.raw_bytes, png))
            if self.outcome is not None:
                self.readouts.set_verdict(compare(self.outcome, c))

    def _update_info(self, opening: str | None = None) -> None:
        """What is open and which model compresses it; a .nic file names the model that made it
        (it is decoded with that one), once."""
        parts = []
        if opening is not None:
            parts.append(f"<b>{opening}</b> · opening…")
        elif self.loaded is not None:
            p = self.loaded.picture
            parts.append(f"<b>{self.loaded.source.name}</b> · {p.width}×{p.height} {p.mode}")
            if self.loaded.file_bytes is not None:
                parts.append(f"file on disk: {format_bytes(self.loaded.file_bytes)}")
            if self.loaded.nic is not None:
                h = self.loaded.nic.header
                parts.append(f"quality {h.quality}, made with model {h.model_name} ({h.model_digest.hex()[:12]})")
                self.info.setText("<br>".join(parts))
                return
        if self.model is not None:
            parts.append(f"model {self.model.identity}")
        self.info.setText("<br>".join(parts))

    def _failed(self, f: Failure) -> None:
        self.message.show_message(f.message)
        if f.stage == Stage.LOAD and 0 <= self.index < len(self.sources):
            item = self.file_list.item(self.index)
            if item is not None:
                item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(f.message)
            failed = self.sources[self.index].path
            if failed is not None:  # a file that cannot be opened does not stay among the recent ones
                self.settings.remove_recent(failed)
                self._fill_recent()
        if f.stage == Stage.LOAD and self.loaded is None and self._shown_before is not None:
            loaded, outcome, classic_outcome = self._shown_before
            self._loaded(loaded)
            if outcome is not None:
                self._outcome(outcome)
            if classic_outcome is not None:
                self._classic(classic_outcome)
        if f.stage == Stage.COMPRESS and self.outcome is not None:
            self._refresh_views()
        if f.stage == Stage.MODEL:
            self.device_label.setText("no model")
        if f.job in self._saves:
            self._saves.pop(f.job)

    def _saved(self, s: Saved) -> None:
        what = self._saves.pop(s.job, "file")
        self.statusBar().showMessage(f"Saved {what} {s.path} ({s.size:,} bytes)", 8000)

    def _busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("working…")
        self.busy_label.setVisible(busy)
        if busy:
            self.progress_bar.setRange(0, 0)
            self._progress_timer.start(PROGRESS_DELAY_MS)
        else:
            self.cancel_button.hide()
            self._progress_timer.stop()
            self.progress_bar.hide()
        self._drop_cancel_notice()

    def _long_wait(self) -> None:
        """The work has taken more than a second: a progress bar (busy until it says how far it got)."""
        if self.client.busy:
            self.progress_bar.show()

    def _progress(self, p: WorkProgress) -> None:
        """Long work says what it is doing, how far it got and how long it still needs."""
        self.busy_label.setText(p.describe())
        self.busy_label.show()
        self.cancel_button.show()
        self.progress_bar.setRange(0, p.total)
        self.progress_bar.setValue(p.done)
        self.progress_bar.setToolTip(p.describe())
        if p.seconds_left is not None and p.seconds_left >= 1:  # a wait of more than a second is coming
            self.progress_bar.show()
        if p.stage == WorkStage.DECODING and self.views.patch_rect is not None:
            left = f" · about {p.seconds_left:.0f} s left" if p.seconds_left and p.seconds_left >= 1 else ""
            self.views.retitle(
                RECONSTRUCTION,
                f"nicgui q{self.client.state.quality} · in view · decoding the rest, tile {p.done} of {p.total}{left}",
            )
        elif p.stage == WorkStage.DECODING and self.outcome is not None:
            self.views.retitle(RECONSTRUCTION, f"nicgui q{self.outcome.quality} · {p.describe().lower()}")

    def _cancelled(self) -> None:
        self.message.show_message(CANCELLED_NOTICE, error=False)
        if self.outcome is not None:  # a part or the whole of a quality that will not come: back to what did
            self._refresh_views()
            self._refresh_readouts()
        elif self.loaded is not None and self.loaded.nic is None:
            q = self.client.state.quality
            self.views.set_reconstruction(None, waiting_title(q, self.client.activity))
            self.readouts.set_column(0, waiting_header(q, self.client.activity), {})
            self._clear_inspector(f"Cancelled: the latents at quality {q} were not computed.")

    def _drop_cancel_notice(self) -> None:
        """The "Cancelled" notice stays only while nothing was asked after the cancel."""
        if self.message.text() == CANCELLED_NOTICE and self.client.activity != "cancelled":
            self.message.hide()

    def _cursor(self, text: str) -> None:
        self.cursor_label.setText(text)

    # == saving ====================================================================================
    def confirm_overwrite(self, path: Path) -> bool:
        """Ask before replacing a file (tests replace this method)."""
        answer = QMessageBox.question(
            self,
            "Replace file?",
            f"{path.name} already exists in {path.parent}.\nReplace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask_path(self, title: str, suggested: str, filter_: str, suffix: str) -> Path | None:
        start = self.settings.save_dir or (
            self.loaded.source.path.parent if self.loaded and self.loaded.source.path else Path.home()
        )
        name, _ = QFileDialog.getSaveFileName(self, title, str(start / suggested), filter_)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _write(
        self, path: Path | None, payload, what: str, title: str, suffix: str, filter_: str, tag: str = ""
    ) -> int | None:
        """Save through the worker; asks for a path when none is given, and before overwriting.

        ``tag`` goes into the suggested name, so an export says what it is (codec and quality)."""
        confirmed = False
        if path is None:
            stem = Path(self.loaded.source.name).stem if self.loaded else "image"
            path = self._ask_path(title, f"{stem}{tag}{suffix}", filter_, suffix)
            if path is None:
                return None
            confirmed = True  # the file dialog asked about replacing an existing file
        path = Path(path)
        overwrite = False
        if path.exists():
            if not (confirmed or self.confirm_overwrite(path)):
                self.statusBar().showMessage(f"Not saved: {path.name} exists", 5000)
                return None
            overwrite = True
        self.settings.save_dir = path.parent
        job = self.client.save(path, payload, overwrite)
        self._saves[job] = what
        return job

    def save_nic(self, path: Path | None = None) -> int | None:
        """Save the current .nic (Ctrl+S)."""
        if self.outcome is None:
            self.message.show_message("Nothing to save yet: open an image first.")
            return None
        return self._write(
            path,
            self.outcome.data,
            NIC_SUFFIX,
            "Save compressed image",
            NIC_SUFFIX,
            f"Compressed images (*{NIC_SUFFIX})",
        )

    def export_png(self, path: Path | None = None) -> int | None:
        """Save the reconstruction (or a decoded .nic) as PNG (Ctrl+E)."""
        if self.outcome is not None:
            picture = self.outcome.reconstruction
        elif self.loaded is not None and self.loaded.nic is not None:
            picture = self.loaded.picture
        else:
            self.message.show_message("Nothing to export yet: open an image first.")
            return None
        tag = f".nicgui-q{self.outcome.quality}" if self.outcome is not None else ".decoded"
        return self._write(path, picture, "reconstruction", "Export reconstruction as PNG", ".png", "PNG (*.png)", tag)

    def export_heatmap(self, path: Path | None = None) -> int | None:
        """Save the error heatmap as shown (colours) as PNG."""
        if self.outcome is None:
            self.message.show_message("No error map yet: open an image first.")
            return None
        heat = self.views.heatmap or self.outcome.heatmap
        c = self.classic_outcome
        of_classic = c is not None and heat is c.heatmap
        codec = f"{c.codec}-q{c.codec_quality}" if of_classic and c is not None else f"nicgui-q{self.outcome.quality}"
        tag = f".error-{heat.kind.value}-{codec}"
        return self._write(path, heat.rgb, "error heatmap", "Export error heatmap", ".png", "PNG (*.png)", tag)

    # == dialogs ===================================================================================
    def open_batch(self) -> None:
        folder = self.settings.batch_dir
        files = [s.path for s in self.sources if s.path is not None]
        if self.batch_dialog is not None:
            self.batch_dialog.raise_()
            return
        self.batch_dialog = BatchDialog(self.client, self.slider.value(), files, folder, self)
        self.batch_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.batch_dialog.finished.connect(self._batch_closed)
        self.batch_dialog.show()

    def _batch_closed(self) -> None:
        if self.batch_dialog is not None:
            text = self.batch_dialog.folder.text().strip()
            if text:
                self.settings.batch_dir = Path(text)
            self.batch_dialog = None

    def about_text(self) -> str:
        import nicgui

        model = self.model.identity if self.model else "not loaded"
        device = f"{self.model.device}, {self.model.precision}" if self.model else "—"
        return (
            f"<h3>nicgui {nicgui.__version__}</h3>"
            "<p>Compress and inspect images with learned codecs: the compressive autoencoder of "
            "Theis, Shi, Cunningham and Huszár, <i>Lossy Image Compression with Compressive "
            "Autoencoders</i> (ICLR 2017), and the mean-scale hyperprior of Ballé et al. (ICLR 2018) "
            "and Minnen et al. (NeurIPS 2018).</p>"
            f"<p>Model: <b>{model}</b><br>Device: {device}</p>"
        )

    def about(self) -> None:
        QMessageBox.about(self, "About nicgui", self.about_text())

    def shortcuts(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every action of the window that has a shortcut, read from the actions."""
        rows = []
        for a in self.actions():
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts() if not k.isEmpty()]
            if keys:
                rows.append((", ".join(keys), a.text().replace("&", "").rstrip("…")))
        return rows

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard shortcuts (F1): a window of its own, left open beside the pictures."""
        if self.shortcuts_dialog is None:
            dialog = QDialog(self)
            dialog.setWindowTitle("Keyboard shortcuts")
            self.shortcuts_label = QLabel()
            self.shortcuts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.rejected.connect(dialog.close)
            lay = QVBoxLayout(dialog)
            lay.addWidget(self.shortcuts_label)
            lay.addWidget(buttons)
            self.shortcuts_dialog = dialog
        rows = "".join(
            f"<tr><td style='padding-right:16px'><b>{html.escape(k)}</b></td><td>{html.escape(t)}</td></tr>"
            for k, t in self.shortcuts()
        )
        self.shortcuts_label.setText(
            f"<table>{rows}</table><p style='color:#9aa0a6'>Mouse: drag to pan, wheel to zoom; "
            "in the split view drag the yellow divider.</p>"
        )
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._default_layout:  # first run: most of the height for the pictures
            self._default_layout = False
            self.resizeDocks([self.inspector_dock], [int(self.height() * 0.26)], Qt.Orientation.Vertical)
            # room for nicgui's column, a classical codec's and the difference, so comparing needs no wider dock
            self.resizeDocks([self.readouts_dock], [360], Qt.Orientation.Horizontal)

    def event(self, event: QEvent) -> bool:
        """A status tip (of the hovered action) leaves the status bar when the pointer leaves the
        window or the window is deactivated (a dialog opened), not only when Qt says so."""
        kind = event.type()
        if kind == QEvent.Type.StatusTip and isinstance(event, QStatusTipEvent):
            self._status_tip = event.tip()
        elif kind in (QEvent.Type.Leave, QEvent.Type.WindowDeactivate):
            self._clear_status_tip()
        return super().event(event)

    def _clear_status_tip(self) -> None:
        bar = self.statusBar()
        if self._status_tip and bar.currentMessage() == self._status_tip:
            bar.clearMessage()
        self._status_tip = ""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and not self._focused_once:
            # Start with the pictures focused, so keys 0-3 switch views instead of typing in a spin box.
            self._focused_once = True
            self._focus_pictures()

    def _focus_pictures(self) -> None:
        page = self.pages.currentWidget()
        target = self.views.side if page is self.views else page
        if target is not None:
            target.setFocus()

    # == leaving ===================================================================================
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        s = self.settings
        s.geometry = self.saveGeometry()
        s.window_state = self.saveState()
        s.quality = self.slider.value()
        s.view_mode = self.views.mode
        s.sync()
        if self.batch_dialog is not None:
            self.batch_dialog.close()
        self.hide()
        self.client.shutdown()
        event.accept()
