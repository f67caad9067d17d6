"""``nicgui --selftest`` (built in the packaging issue)."""

from __future__ import annotations


def run_selftest(argv: list[str]) -> int:
    raise SystemExit("nicgui: --selftest is not built yet")
