"""Entry point of the desktop app: ``nicgui [FILE…] [--quality Q] [--screenshot OUT.png]``.

``--screenshot`` renders the window offscreen with the given files, waits until the worker's
result for the current quality is on screen, writes a PNG and exits (0, or 1 with a one-line
error). It uses a throw-away settings file, so it never changes the user's settings.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from nicgui.codec.precision import ENV as PRECISION_ENV
from nicgui.codec.precision import Precision

EXIT_OK = 0
EXIT_ERROR = 1
SCREENSHOT_SIZE = (1600, 1000)
SCREENSHOT_TIMEOUT_S = 600


def _parser() -> argparse.ArgumentParser:
    from nicgui.codec import classic

    p = argparse.ArgumentParser(
        prog="nicgui",
        description="Compress and inspect images with a neural codec (opens the app).",
        epilog="Subcommands encode, decode, info, train, export and eval work without the window; see 'nicgui --help'.",
    )
    p.add_argument("files", nargs="*", type=Path, help="images or .nic files to open")
    p.add_argument("--quality", type=int, help="quality 1..100 to start with")
    p.add_argument("--compare", choices=list(classic.NAMES), help="compare with a classical codec")
    p.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    p.add_argument("--model", help="installed model by name (default, theis-cae-s, ...; default: the last one chosen)")
    p.add_argument("--weights", help="weights file (.safetensors) to use instead of an installed model")
    p.add_argument(
        "--precision",
        choices=[p.value for p in Precision],
        help="arithmetic of the networks (default: the last one chosen in the Device menu, else auto)",
    )
    p.add_argument("--screenshot", type=Path, metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.add_argument(
        "--size",
        default=f"{SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]}",
        metavar="WxH",
        help="window size for --screenshot (default %(default)s)",
    )
    p.add_argument("-f", "--force", action="store_true", help="let --screenshot overwrite an existing file")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the app does")
    return p


def worker_threads() -> int:
    """CPU threads for the model: all cores ($NICGUI_THREADS overrides).

    Measured on 2 cores: two threads halve the decoder's time (443 -> 259 ms on a Kodak image)
    while the GUI thread's longest block stays near 30 ms, as it is idle while the worker runs.
    """
    return int(os.environ.get("NICGUI_THREADS", 0)) or (os.cpu_count() or 1)


def run_app(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    if args.quality is not None and not 1 <= args.quality <= 100:
        print(f"nicgui: error: quality must be 1..100, got {args.quality}", file=sys.stderr)
        return EXIT_ERROR
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return _screenshot(args)
    app = _application()
    window, client = _make_window(args, None)
    window.show()
    code = app.exec()
    client.shutdown()
    return code


def _application():
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["nicgui"])
    app.setApplicationName("nicgui")
    app.setOrganizationName("nicgui")
    try:
        from nicgui.assets import APP_ICON_PNG, resource_path

        app.setWindowIcon(QIcon(str(resource_path(APP_ICON_PNG))))
    except (ImportError, FileNotFoundError):
        pass
    return app


def _make_window(args: argparse.Namespace, settings_file: Path | None):
    from nicgui.app.worker import default_codec_factory
    from nicgui.gui.client import CodecClient
    from nicgui.gui.settings import Settings, file_qsettings, user_qsettings
    from nicgui.gui.window import MainWindow

    settings = Settings(file_qsettings(settings_file) if settings_file else user_qsettings())
    if args.quality is not None:
        settings.quality = args.quality
    if args.compare:
        settings.compare = args.compare
    device = args.device or settings.device
    if args.device is None and device and device.startswith("cuda"):
        from nicgui.codec.api import cuda_available

        if not cuda_available():  # the settings came from a machine with a GPU
            device = None
    weights = args.weights or args.model or settings.model
    precision = args.precision or os.environ.get(PRECISION_ENV) or settings.precision
    client = CodecClient(default_codec_factory(weights, precision), device, threads=worker_threads())
    window = MainWindow(client, settings)
    if args.files:
        window.open_paths(args.files)
    return window, client


def _screenshot(args: argparse.Namespace) -> int:
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"nicgui: error: --size must look like 1600x1000, got {args.size!r}", file=sys.stderr)
        return EXIT_ERROR
    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        print(f"nicgui: error: file not found: {missing[0]}", file=sys.stderr)
        return EXIT_ERROR
    if not args.screenshot.parent.is_dir():  # before any work, not after it
        print(
            f"nicgui: error: cannot write {args.screenshot}: folder {args.screenshot.parent} does not exist",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if args.screenshot.exists() and not args.force:
        print(f"nicgui: error: {args.screenshot} exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_ERROR
    app = _application()
    with tempfile.TemporaryDirectory(prefix="nicgui-shot-") as tmp:
        window, client = _make_window(args, Path(tmp) / "settings.ini")
        try:
            window.resize(w, h)
            window.show()
            error = wait_until_shown(window, SCREENSHOT_TIMEOUT_S)
            if error:
                print(f"nicgui: error: {error}", file=sys.stderr)
                return EXIT_ERROR
            app.processEvents()
            return _write_grab(window, args.screenshot, args.force)
        finally:
            window.close()
            client.shutdown()


def wait_until_shown(window, timeout_s: float) -> str | None:
    """Run the event loop until the current view is on screen; an error message, or None."""
    from PySide6.QtCore import QEventLoop, QTimer

    client = window.client
    loop = QEventLoop()
    outcome: dict[str, str | None] = {"error": None}

    def finished() -> bool:
        if window.message.text():
            outcome["error"] = window.message.text()
            return True
        if client.model is None:
            return False  # the model is still loading
        if not window.sources:
            return True  # an empty window
        if window.loaded is None or client.busy:
            return False
        return window.loaded.nic is not None or window.outcome is not None

    def check(*_args) -> None:
        if finished():
            loop.quit()

    def timed_out() -> None:
        outcome["error"] = f"no result after {timeout_s:.0f} s"
        loop.quit()

    client.busy_changed.connect(check)
    client.ready.connect(check)
    client.failed.connect(check)
    window.result_shown.connect(check)
    window.loaded_shown.connect(check)
    QTimer.singleShot(int(timeout_s * 1000), timed_out)
    QTimer.singleShot(0, check)
    loop.exec()
    return outcome["error"]


def _write_grab(window, out: Path, overwrite: bool) -> int:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from nicgui.atomic import atomic_write

    image = window.grab().toImage()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        print("nicgui: error: cannot render the window to PNG", file=sys.stderr)
        return EXIT_ERROR
    try:
        atomic_write(out, bytes(data.data()), overwrite=overwrite)
    except FileExistsError:
        print(f"nicgui: error: {out} exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_ERROR
    except OSError as e:
        print(f"nicgui: error: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{out}: {image.width()}x{image.height()}")
    return EXIT_OK
