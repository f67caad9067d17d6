"""``nicgui --selftest``: prove an installation works, from a checkout, a wheel or the frozen app.

It checks the GUI toolkit offscreen (PySide6 imports, a QApplication starts, the icon loads, the
GUI modules import), loads the shipped model, encodes and decodes a built-in picture, reads the
result back through the Pillow plugin, and checks the decoded picture's PSNR. It prints one line
of JSON and exits 0 when everything passed, 1 otherwise, so packaging tests and users can run it
where there is no screen.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import logging
import os
import pkgutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
DEFAULT_QUALITY = 75
DEFAULT_MIN_PSNR = 18.0  # dB; far above noise (~8 dB) even for an untrained-looking model
MIN_GAIN_OVER_FLAT = 3.0  # dB the codec must beat a flat mean-colour picture by
TEST_SIZE = (100, 148)  # (height, width): not multiples of the 8-pixel stride, to exercise padding


@dataclass
class Report:
    """What the self-test found; serialised as the one-line JSON summary."""

    checks: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # failed check -> "ExceptionType: message"

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> str:
        data: dict[str, Any] = {"ok": self.ok}
        if self.errors:
            data["errors"] = self.errors
        data.update(self.checks)
        return json.dumps(data, default=str)


class SelftestError(RuntimeError):
    """A check ran but its result is wrong."""


def builtin_picture(height: int = TEST_SIZE[0], width: int = TEST_SIZE[1]) -> np.ndarray:
    """A deterministic photo-like RGB image: gradient sky, discs, a textured ground and mild noise."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.empty((height, width, 3))
    img[:] = [90.0, 140.0, 210.0]
    img *= (1.0 - 0.45 * yy / height)[..., None]
    for cy, cx, r, colour in ((0.3, 0.25, 0.18, (250, 210, 90)), (0.55, 0.7, 0.3, (200, 70, 60))):
        d = np.hypot(yy - cy * height, xx - cx * width) - r * min(height, width)
        mask = (1.0 / (1.0 + np.exp(d / 1.2)))[..., None]
        img = img * (1 - mask) + np.array(colour, dtype=np.float64) * mask
    ground = (yy > 0.72 * height + 5 * np.sin(xx / 7.0))[..., None]
    texture = 60 + 25 * np.sin(xx / 2.3 + yy / 3.7)[..., None] + np.array([0.0, 50.0, 5.0])
    img = np.where(ground, texture, img)
    img += np.random.default_rng(2017).normal(0.0, 2.0, img.shape)
    return np.clip(img.round(), 0, 255).astype(np.uint8)


def check_gui(report: Report, platform: str = "offscreen") -> None:
    """PySide6 and pyqtgraph import, a QApplication starts (offscreen by default), the icon loads, the GUI imports.

    ``platform`` names the Qt platform plugin: "xcb" or "wayland" check that the app can reach the
    desktop's display server; the default needs no display at all.
    """
    # No window is ever shown. Qt aborts the process when no platform plugin starts, so fall back
    # to offscreen and report the mismatch instead.
    os.environ["QT_QPA_PLATFORM"] = platform if platform == "offscreen" else f"{platform};offscreen"
    import pyqtgraph  # a plain import statement, so that PyInstaller bundles it
    from PySide6 import QtCore, QtGui, QtWidgets

    from nicgui.assets import APP_ICON_PNG, resource_path

    _app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["nicgui-selftest"])  # kept alive
    if QtGui.QGuiApplication.platformName() != platform:
        raise SelftestError(f"Qt platform is {QtGui.QGuiApplication.platformName()!r}, expected {platform!r}")
    icon_path = resource_path(APP_ICON_PNG)
    pixmap = QtGui.QPixmap(str(icon_path))
    if pixmap.isNull():
        raise SelftestError(f"Qt cannot load the icon {icon_path}")
    report.checks["gui_modules"] = _import_gui_modules()
    report.checks["qt"] = QtCore.qVersion()
    report.checks["qt_platform"] = QtGui.QGuiApplication.platformName()
    report.checks["pyqtgraph"] = pyqtgraph.__version__
    report.checks["icon"] = str(icon_path)


def _import_gui_modules() -> int:
    """Import every module of nicgui.gui (in a frozen app this proves that all they need was bundled)."""
    import nicgui.gui

    names = [m.name for m in pkgutil.iter_modules(nicgui.gui.__path__, "nicgui.gui.")]
    if "nicgui.gui.app" not in names:
        raise SelftestError(f"nicgui.gui.app is missing (found {names})")
    for name in names:
        importlib.import_module(name)
    return len(names)


def check_codec(report: Report, quality: int, min_psnr: float, device: str | None) -> None:
    """Encode and decode the built-in picture and compare PSNR with the limits."""
    from nicgui.codec.api import load_model
    from nicgui.codec.bitstream import MAGIC
    from nicgui.codec.metrics import bits_per_pixel, psnr

    t0 = time.perf_counter()
    codec = load_model(device=device)
    report.checks["weights"] = str(codec.weights.path)
    report.checks["model"] = str(codec.identity)
    report.checks["device"] = str(codec.device)
    report.checks["load_s"] = round(time.perf_counter() - t0, 3)

    original = builtin_picture()
    t0 = time.perf_counter()
    data = codec.encode(original, quality)
    picture = codec.decode(data)
    report.checks["codec_s"] = round(time.perf_counter() - t0, 3)
    if not data.startswith(MAGIC):
        raise SelftestError("encoded data does not start with the .nic magic bytes")
    if picture.rgb.shape != original.shape or picture.mode != "RGB":
        raise SelftestError(f"decoded {picture.mode} {picture.rgb.shape}, expected RGB {original.shape}")
    flat = np.broadcast_to(original.reshape(-1, 3).mean(axis=0).round().astype(np.uint8), original.shape)
    value, floor = psnr(original, picture.rgb), psnr(original, flat)
    bpp = bits_per_pixel(len(data), original.shape[1], original.shape[0])
    report.checks.update(quality=quality, bytes=len(data), bpp=round(bpp, 4))
    report.checks.update(psnr=round(value, 3), psnr_flat=round(floor, 3))
    if value < min_psnr:
        raise SelftestError(f"PSNR {value:.2f} dB is below the minimum {min_psnr:.2f} dB")
    if value < floor + MIN_GAIN_OVER_FLAT:
        raise SelftestError(f"PSNR {value:.2f} dB hardly beats a flat picture ({floor:.2f} dB)")
    _check_pillow(codec, data, picture.rgb)
    report.checks["pillow"] = True


def _check_pillow(codec: Any, data: bytes, expected: np.ndarray) -> None:
    """The Pillow plugin reads the same pixels from the same bytes."""
    from PIL import Image

    import nicgui.pillow

    nicgui.pillow.set_codec(codec)
    with Image.open(io.BytesIO(data)) as im:
        if im.format != "NIC":
            raise SelftestError(f"Pillow identified the .nic data as {im.format!r}")
        pixels = np.asarray(im.convert("RGB"))
    if not np.array_equal(pixels, expected):
        raise SelftestError("Pillow plugin decoded different pixels than the codec")


def _run_check(report: Report, name: str, check: Callable[[], None]) -> bool:
    """Run one check, recording its failure (with the exception's type and message) in the report."""
    try:
        check()
    except Exception as e:  # a self-test reports every failure instead of crashing
        log.debug("self-test check %s failed", name, exc_info=True)
        report.errors[name] = f"{type(e).__name__}: {e}"
        return False
    return True


def _version() -> str:
    """The installed distribution's version ("unknown" for a bare source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nicgui")
    except PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nicgui --selftest", description="Check that this nicgui installation works.")
    p.add_argument("--quality", type=int, default=DEFAULT_QUALITY, help=f"1..100 (default {DEFAULT_QUALITY})")
    p.add_argument("--min-psnr", type=float, default=DEFAULT_MIN_PSNR, help=f"dB (default {DEFAULT_MIN_PSNR})")
    p.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    p.add_argument("--no-gui", action="store_true", help="skip the Qt checks")
    p.add_argument(
        "--qt-platform", default="offscreen", help="Qt platform plugin to start (default offscreen; xcb, wayland)"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log details, with tracebacks of failures")
    return p


def run_selftest(argv: list[str]) -> int:
    """Run every check, print the one-line JSON summary on stdout, return the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    t0 = time.perf_counter()
    report = Report()
    report.checks.update(version=_version(), frozen=bool(getattr(sys, "frozen", False)), python=sys.version.split()[0])
    if not args.no_gui:
        _run_check(report, "gui", lambda: check_gui(report, args.qt_platform))
    _run_check(report, "codec", lambda: check_codec(report, args.quality, args.min_psnr, args.device))
    report.checks["seconds"] = round(time.perf_counter() - t0, 3)
    print(report.to_json(), flush=True)
    return EXIT_OK if report.ok else EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(run_selftest(sys.argv[1:]))
