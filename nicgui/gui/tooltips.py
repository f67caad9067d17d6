"""Long tooltips wrap: Qt shows plain-text tooltips on one line (up to the screen's width) and
wraps rich text, so long plain tooltips are given as rich text. (An application-wide event filter
would do it for every tooltip, but would send every event of the app through Python: measured
four times slower.)"""

from __future__ import annotations

import html

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

WRAP_FROM = 70  # characters: shorter tooltips stay as they are


def wrapped(text: str) -> str:
    """A tooltip Qt will wrap (rich text), or the text itself when it is short or rich already."""
    if len(text) < WRAP_FROM or text.lstrip().startswith("<"):
        return text
    return f"<p style='white-space: normal'>{html.escape(text)}</p>"


def wrap_tooltips(root: QWidget) -> None:
    """Make every long tooltip under ``root`` (widgets and actions) wrap."""
    for w in [root, *root.findChildren(QWidget)]:
        w.setToolTip(wrapped(w.toolTip()))
    for a in root.findChildren(QAction):
        a.setToolTip(wrapped(a.toolTip()))
