"""Shared by the packaging tests: paths, a clean environment, running ``--selftest`` in a subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "sample.png"
GiB = 1024**3

requires_frozen = pytest.mark.skipif(
    os.environ.get("NICGUI_TEST_FROZEN") != "1",
    reason="builds the PyInstaller app (about 2-3 min); set NICGUI_TEST_FROZEN=1 "
    "or run packaging/build_and_selftest.sh",
)
requires_wheel = pytest.mark.skipif(
    os.environ.get("NICGUI_TEST_WHEEL") != "1",
    reason="builds and installs the wheel in a new venv (about 1-2 min); set NICGUI_TEST_WHEEL=1 or run "
    "packaging/build_and_selftest.sh",
)


def require_module(name: str) -> None:
    """Fail (not skip) when a packaging tool is missing: the gated tests were asked for explicitly."""
    if importlib.util.find_spec(name) is None:
        pytest.fail(f"{name} is not installed; pip install -e '.[package]' (packaging/build_and_selftest.sh does)")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that could point nicgui at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"NICGUI_WEIGHTS_DIR", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def run_selftest(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> tuple[int, dict[str, Any]]:
    """Run ``command`` (ending in --selftest ...) and parse its one line of JSON from stdout."""
    r = subprocess.run(command, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout)
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1, f"expected one line of JSON, got stdout={r.stdout!r} stderr={r.stderr[-2000:]!r}"
    return r.returncode, json.loads(lines[0])


def is_inside(path: str | Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())
