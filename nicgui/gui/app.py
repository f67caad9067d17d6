"""Entry point of the desktop app (built in the GUI issue)."""

from __future__ import annotations


def run_app(argv: list[str]) -> int:
    raise SystemExit("nicgui: the desktop app is not built yet; use 'nicgui encode|decode|info'")
