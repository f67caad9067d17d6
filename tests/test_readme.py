"""README starts with the two commands, and CI runs exactly README's test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    head = ROOT.joinpath("README.md").read_text().splitlines()[:8]
    return [m.group(1) for line in head for m in [re.fullmatch(r"`(.+)`", line.strip())] if m]


def test_readme_opens_with_install_and_test_commands():
    run, test = _commands()[:2]
    assert "pip install torch==2.13.0" in run and "nicgui" in run
    assert "pytest" in test and ".[test]" in test


def test_ci_runs_the_readme_test_command():
    test = _commands()[1]
    assert test in ROOT.joinpath(".ci/run").read_text()
