"""Layering: the codec and training packages never import Qt (statically or at run time)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nicgui"
QT = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_codec_and_train_have_no_qt_or_gui_imports():
    for sub in ("codec", "train"):
        for path in (PACKAGE / sub).rglob("*.py"):
            for name in _imports(path):
                assert not name.startswith(QT), f"{path.name} imports {name}"
                assert not name.startswith("nicgui.gui"), f"{path.name} imports {name}"


def test_codec_does_not_import_training_code():
    for path in (PACKAGE / "codec").rglob("*.py"):
        assert not any(n.startswith("nicgui.train") for n in _imports(path)), path.name


def test_importing_codec_and_train_loads_no_qt():
    code = (
        "import sys, nicgui.codec.api, nicgui.codec.classic, nicgui.codec.metrics, "
        "nicgui.train.trainer, nicgui.train.export, nicgui.train.commands; "
        f"print([m for m in sys.modules if m.startswith({QT!r})])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
