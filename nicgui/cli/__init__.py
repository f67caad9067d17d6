"""Command line: ``nicgui encode|decode|info|batch|train|export|eval``; no subcommand opens the app.

Conventions as cwebp's: exit code 0 on success; on bad input a one-line ``nicgui: error: ...``
on stderr and a non-zero exit code, never a traceback. ``python -m nicgui`` is the same program.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from nicgui.cli.common import EXIT_ERROR, EXIT_USAGE, CliError

SUBCOMMANDS = {"encode", "decode", "info", "batch", "train", "export", "eval"}


def _not_an_app_start(argv: list[str]) -> str | None:
    """Why ``argv`` cannot open the window (a mistyped command, no display), or None."""
    first = argv[0] if argv and not argv[0].startswith("-") else None
    if first is not None and not Path(first).exists() and not Path(first).suffix:
        import difflib

        close = difflib.get_close_matches(first, sorted(SUBCOMMANDS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (commands: {', '.join(sorted(SUBCOMMANDS))})"
        return f"unknown command or file '{first}'{hint}"
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    )
    if "--screenshot" in argv:
        return None
    if headless:
        return (
            "no display to open the window on (set DISPLAY, or QT_QPA_PLATFORM=offscreen); "
            "'nicgui --help' lists the commands that need none"
        )
    if sys.platform.startswith("linux") and os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        missing = missing_x11_libraries()
        if missing:  # Qt would abort loading its xcb plugin, naming only libxcb-cursor0 whatever is missing
            return (
                f"Qt's X11 plugin needs the system libraries {', '.join(missing)} "
                f"(Debian/Ubuntu: sudo apt install {' '.join(missing)})"
            )
    return None


# The libraries Qt 6's xcb platform plugin loads that a minimal Debian/Ubuntu lacks, by the name
# the linker knows and the package that brings it (measured: a Debian 12 with libxcb-cursor0 alone
# still failed on libxcb-icccm4 and libxcb-keysyms1, and Qt's message named only libxcb-cursor0).
X11_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def missing_x11_libraries() -> list[str]:
    """Packages of the libraries Qt's X11 plugin needs that this system lacks."""
    import ctypes.util

    return [package for lib, package in X11_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


APP_USAGE = """without a command, nicgui opens the desktop app:
  nicgui [FILE ...]               the app, with these pictures or .nic files (Page Down steps through them)
                                  (options: --quality Q, --model NAME, --weights FILE, --precision)
  nicgui FILE --screenshot OUT.png  render the window offscreen to a PNG and quit (no display needed)
  nicgui --selftest               check this installation (a picture through the codec, the GUI), then quit

'nicgui COMMAND --help' describes one command."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; the options of ``train`` (built from the trainer's config, which needs torch)
    are added only when ``command`` is ``train``, so ``--help`` and the codec's commands start
    without loading torch."""
    from nicgui import __version__
    from nicgui.cli.codec import add_codec_commands
    from nicgui.cli.train import add_training_commands

    p = argparse.ArgumentParser(
        prog="nicgui",
        description="Neural image codec with a desktop app.",
        epilog=APP_USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    p.add_argument("--version", action="version", version=f"nicgui {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    add_codec_commands(sub)
    add_training_commands(sub, full=command == "train")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--selftest"]:
        from nicgui.selftest import run_selftest

        return run_selftest(argv[1:])
    if not argv or argv[0] not in SUBCOMMANDS | {"-h", "--help", "-v", "--verbose", "--version"}:
        problem = _not_an_app_start(argv)
        if problem:
            print(f"nicgui: error: {problem}", file=sys.stderr)
            return EXIT_USAGE
        from nicgui.gui.app import run_app

        return run_app(argv)
    parser = build_parser(next((a for a in argv if not a.startswith("-")), None))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from nicgui.app.text import describe_error
    from nicgui.errors import NicguiError

    try:
        return args.func(args)
    except (CliError, NicguiError, ValueError) as e:
        print(f"nicgui: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader went away (nicgui info X | head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except OSError as e:  # a file system's refusal (not found, full, read-only, ...)
        print(f"nicgui: error: {describe_error(e)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("nicgui: interrupted", file=sys.stderr)
        return 130
