"""One dark theme for the whole window.

Pictures are judged on a neutral dark grey, so the frame, docks, readouts, dialogs and plots share
that grey instead of mixing a light frame, dark picture views and pure-black plots. The Fusion
style draws every widget from the palette, so the theme looks the same on every platform.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = "#202124"  # picture views and plots
PANEL = "#292a2d"  # window frame, docks, toolbar, dialogs
FIELD = "#35363a"  # text fields, lists, buttons
TEXT = "#e8eaed"
MUTED = "#9aa0a6"  # axes, hints, disabled text
ACCENT = "#8ab4f8"
BETTER = "#81c995"  # the better value of a comparison: a green that reads on the dark grey
BORDER = "#5f6368"

# plots made from here on take the theme's colours (pyqtgraph reads these when a plot is built)
pg.setConfigOptions(background=BACKGROUND, foreground=MUTED)


def palette() -> QPalette:
    """The theme as a Qt palette (active, inactive and disabled groups)."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: PANEL,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: FIELD,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: FIELD,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: FIELD,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Light: "#4a4b4f",
        QPalette.ColorRole.Midlight: "#3c3d41",
        QPalette.ColorRole.Mid: BORDER,
        QPalette.ColorRole.Dark: "#1a1b1e",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: BACKGROUND,
        QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.LinkVisited: "#c58af9",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(MUTED).darker(130))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(BORDER))
    return p


def apply(app: QApplication) -> None:
    """Give the application the theme (its style and palette); doing it again changes nothing."""
    if app.property("nicgui_theme"):
        return
    app.setStyle("Fusion")
    app.setPalette(palette())
    app.setProperty("nicgui_theme", True)
