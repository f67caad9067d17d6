"""Where the shipped resources (icons, desktop files) are, in a checkout, a wheel or the frozen app.

The folders searched are ``nicgui.paths.shipped_dirs("resources")``.
"""

from __future__ import annotations

from pathlib import Path

from nicgui.paths import shipped_dirs

APP_ICON_PNG = "nicgui.png"
APP_ICON_SVG = "nicgui.svg"


def resources_dirs() -> list[Path]:
    """Folders searched for resources: the frozen app, the installed package, the source checkout."""
    return shipped_dirs("resources")


def resource_path(name: str) -> Path:
    """Path of a shipped resource file; FileNotFoundError names every folder searched."""
    for d in resources_dirs():
        candidate = d / name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in resources_dirs())
    raise FileNotFoundError(f"resource {name!r} not found (searched: {searched})")
