"""Layering at run time: importing the codec and the training code loads no Qt.

The static rules (which package may import which) are import-linter contracts in pyproject.toml,
checked by ``lint-imports`` in CI.
"""

from __future__ import annotations

import subprocess
import sys

QT = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6")


def test_importing_codec_and_train_loads_no_qt():
    code = (
        "import sys, nicgui.codec.api, nicgui.codec.classic, nicgui.codec.metrics, "
        "nicgui.train.trainer, nicgui.train.export, nicgui.app.batch; "
        f"print([m for m in sys.modules if m.startswith({QT!r})])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
