"""README starts with the two commands, CI runs exactly README's test command, and README's command
line tour runs top to bottom."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TOUR_MARK = "<!-- the CLI tour: tests/test_readme.py runs every line of the next block -->"


def _commands() -> list[str]:
    head = README.read_text().splitlines()[:8]
    return [m.group(1) for line in head for m in [re.fullmatch(r"`(.+)`", line.strip())] if m]


def _tour() -> list[list[str]]:
    """The commands of the fenced block right under README's tour mark, comments dropped."""
    text = README.read_text()
    assert TOUR_MARK in text, "README lost the mark above its command line tour"
    block = re.match(r"\s*```[^\n]*\n(.*?)^```", text.split(TOUR_MARK, 1)[1], re.S | re.M)
    assert block, "the tour mark must stand right above a fenced block"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [shlex.split(line) for line in lines if line]


def test_readme_opens_with_install_and_test_commands():
    run, test = _commands()[:2]
    assert "pip install torch==2.13.0" in run and "nicgui" in run
    assert "pytest" in test and ".[test]" in test


def test_ci_runs_the_readme_test_command():
    test = _commands()[1]
    assert test in ROOT.joinpath(".ci/run").read_text()


def test_readme_cli_tour_is_the_quick_commands():
    tour = _tour()
    assert len(tour) >= 8
    assert all(argv[0] == "nicgui" for argv in tour)
    commands = {argv[1] for argv in tour}
    assert {"encode", "decode", "info", "batch"} <= commands
    assert not commands & {"train", "export", "eval"}, "the tested tour holds only quick commands"
    for option in ("--effort", "--size", "--tune", "--roi"):
        assert any(option in argv for argv in tour), option


def test_readme_cli_tour_runs_top_to_bottom(tmp_path, monkeypatch, capsys):
    """Each line of the tour, in order, in a fresh folder holding what the tour names: photo.png
    (tests/data/sample.png, enlarged: MS-SSIM needs more than 96 pixels on the shorter side),
    a grey mask face.png and a folder photos/."""
    from nicgui.cli import main

    sample = Image.open(ROOT / "tests/data/sample.png").convert("RGB")
    photo = sample.resize((136, 102), Image.Resampling.LANCZOS)
    photo.save(tmp_path / "photo.png")
    (tmp_path / "photos").mkdir()
    photo.save(tmp_path / "photos" / "photo.png")
    mask = np.full((102, 136), 60, np.uint8)
    mask[20:80, 40:100] = 255
    Image.fromarray(mask).save(tmp_path / "face.png")
    monkeypatch.chdir(tmp_path)

    for argv in _tour():
        try:
            code = main(argv[1:])
        except SystemExit as e:  # argparse's usage errors
            code = e.code
        err = capsys.readouterr().err
        assert code == 0, f"{shlex.join(argv)} exited {code}: {err}"

    assert (tmp_path / "photo.decoded.png").is_file()
    assert (tmp_path / "out" / "photo.nic").is_file()


@pytest.mark.parametrize(
    "doc", ["README.md", "CONTRIBUTING.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
)
def test_links_point_at_files_that_exist(doc):
    text = (ROOT / doc).read_text()
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks hold commands, not links
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (ROOT / doc).parent / target.split("#", 1)[0]
        assert path.exists(), f"{doc} links to {target}, which does not exist"


USER_DOCS = ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")) if p.name != "TRAINING.md")]


@pytest.mark.parametrize("doc", USER_DOCS)
def test_user_facing_docs_name_no_folder_outside_the_repository(doc):
    assert "../shared" not in (ROOT / doc).read_text()


def _section(text: str, heading: str) -> str:
    """The lines from one starting with heading to the next blank line."""
    m = re.search(rf"^{re.escape(heading)}.*?(?=^\s*$)", text, re.S | re.M)
    assert m, f"docs/ARCHITECTURE.md has no section {heading}"
    return m.group(0)


def test_architecture_lists_every_module():
    """docs/ARCHITECTURE.md is the one description of the layout: every module of nicgui/ is in it."""
    text = ROOT.joinpath("docs/ARCHITECTURE.md").read_text().split("## Where everything is", 1)[1]
    package = ROOT / "nicgui"
    for path in sorted(package.rglob("*.py")):
        inner = path.relative_to(package)
        if path.name.startswith("__"):
            continue
        listed = (
            f"nicgui/{path.name}" in text
            if len(inner.parts) == 1
            else path.name in _section(text, f"nicgui/{inner.parts[0]}/")
        )
        assert listed, f"docs/ARCHITECTURE.md ('Where everything is') lacks nicgui/{inner}"
