"""Persistent preferences (QSettings): quality, view choices, folders, window layout, recent files.

The window receives a ``Settings`` object, so tests and the screenshot mode hand it a QSettings
on a temporary file and never touch the user's own settings. ``NICGUI_SETTINGS`` (a path to an
.ini file) does the same for a whole run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from nicgui.app.heatmaps import HeatmapKind
from nicgui.codec import classic
from nicgui.codec.precision import Precision

ORGANISATION = "nicgui"
APPLICATION = "nicgui"
RECENT_KEPT = 10
VIEW_MODES = ("side", "split")
ENV_FILE = "NICGUI_SETTINGS"


def user_qsettings() -> QSettings:
    """The user's settings (an .ini file in the platform's config folder), or NICGUI_SETTINGS."""
    path = os.environ.get(ENV_FILE)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def file_qsettings(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


class Settings:
    """Typed access to the app's QSettings; bad or missing values read as the defaults."""

    def __init__(self, store: QSettings) -> None:
        self.store = store

    def _get(self, key: str, default: str = "") -> str:
        v = self.store.value(key, default)
        return v if isinstance(v, str) else default

    def _path(self, key: str) -> Path | None:
        v = self._get(key)
        return Path(v) if v else None

    # quality
    @property
    def quality(self) -> int:
        try:
            q = int(self._get("quality", "75"))
        except ValueError:
            return 75
        return min(100, max(1, q))

    @quality.setter
    def quality(self, q: int) -> None:
        self.store.setValue("quality", str(int(q)))

    # view choices
    @property
    def view_mode(self) -> str:
        v = self._get("view/mode", "side")
        return v if v in VIEW_MODES else "side"

    @view_mode.setter
    def view_mode(self, v: str) -> None:
        self.store.setValue("view/mode", v)

    @property
    def heatmap(self) -> HeatmapKind:
        try:
            return HeatmapKind(self._get("view/heatmap", "abs"))
        except ValueError:
            return HeatmapKind.ABS

    @heatmap.setter
    def heatmap(self, kind: HeatmapKind) -> None:
        self.store.setValue("view/heatmap", HeatmapKind(kind).value)

    @property
    def compare(self) -> str | None:
        v = self._get("view/compare")
        return v if v in classic.NAMES else None

    @compare.setter
    def compare(self, codec: str | None) -> None:
        self.store.setValue("view/compare", codec or "")

    @property
    def device(self) -> str | None:
        return self._get("device") or None

    @device.setter
    def device(self, d: str | None) -> None:
        self.store.setValue("device", d or "")

    @property
    def precision(self) -> str:
        """The networks' arithmetic chosen in the Device menu: auto (bfloat16 where the CPU computes
        it natively) or float32."""
        v = self._get("precision")
        return v if v in {p.value for p in Precision} else Precision.AUTO.value

    @precision.setter
    def precision(self, p: str) -> None:
        self.store.setValue("precision", p)

    @property
    def model(self) -> str | None:
        """The installed model chosen in the Model menu (None: the default)."""
        return self._get("model") or None

    @model.setter
    def model(self, name: str | None) -> None:
        self.store.setValue("model", name or "")

    # folders
    @property
    def open_dir(self) -> Path | None:
        return self._path("folders/open")

    @open_dir.setter
    def open_dir(self, p: Path) -> None:
        self.store.setValue("folders/open", str(p))

    @property
    def save_dir(self) -> Path | None:
        return self._path("folders/save")

    @save_dir.setter
    def save_dir(self, p: Path) -> None:
        self.store.setValue("folders/save", str(p))

    @property
    def batch_dir(self) -> Path | None:
        return self._path("folders/batch")

    @batch_dir.setter
    def batch_dir(self, p: Path) -> None:
        self.store.setValue("folders/batch", str(p))

    # window layout
    @property
    def geometry(self) -> QByteArray | None:
        v = self.store.value("window/geometry")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    @geometry.setter
    def geometry(self, g: QByteArray) -> None:
        self.store.setValue("window/geometry", g)

    @property
    def window_state(self) -> QByteArray | None:
        v = self.store.value("window/state")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    @window_state.setter
    def window_state(self, s: QByteArray) -> None:
        self.store.setValue("window/state", s)

    # recent files (JSON: QSettings turns one-item lists into plain strings in .ini files)
    @property
    def recent(self) -> list[Path]:
        try:
            items = json.loads(self._get("recent", "[]"))
        except json.JSONDecodeError:
            return []
        return [Path(p) for p in items if isinstance(p, str)][:RECENT_KEPT]

    def add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [p] + [str(q) for q in self.recent if str(q) != p]
        self.store.setValue("recent", json.dumps(items[:RECENT_KEPT]))

    def remove_recent(self, path: Path) -> None:
        """Forget a file (it could not be opened)."""
        p = str(Path(path).resolve())
        self.store.setValue("recent", json.dumps([str(q) for q in self.recent if str(q) != p]))

    def clear_recent(self) -> None:
        self.store.setValue("recent", "[]")

    def sync(self) -> None:
        self.store.sync()
