"""The PyInstaller one-folder app: it builds, passes its self-test, runs the CLI and stays under 1 GiB.

Building takes 2-3 minutes on two cores, so these tests run only with NICGUI_TEST_FROZEN=1
(packaging/build_and_selftest.sh sets it). One build serves all tests of this module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging._helpers import (
    ROOT,
    SAMPLE,
    GiB,
    clean_env,
    is_inside,
    require_module,
    requires_frozen,
    run_selftest,
)

pytestmark = requires_frozen
EXE = "nicgui.exe" if sys.platform == "win32" else "nicgui"


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    """dist/nicgui built by packaging/build_frozen.sh into a temporary folder."""
    require_module("PyInstaller")
    base = tmp_path_factory.mktemp("frozen")
    r = subprocess.run(
        [
            "bash",
            str(ROOT / "packaging" / "build_frozen.sh"),
            "--distpath",
            str(base / "dist"),
            "--workpath",
            str(base / "work"),
        ],
        env=dict(os.environ, PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    print(r.stdout.strip().splitlines()[-1])  # "built ...: N MB in S s", shown with pytest -s
    return base / "dist" / "nicgui"


def test_frozen_selftest_passes(app, tmp_path):
    code, report = run_selftest([str(app / EXE), "--selftest"], cwd=tmp_path)
    assert code == 0, report
    assert report["ok"] is True and report["frozen"] is True and report["pillow"] is True
    assert report["version"] != "unknown"
    gui_modules = [p for p in (ROOT / "nicgui" / "gui").glob("*.py") if p.name != "__init__.py"]
    assert report["gui_modules"] == len(gui_modules)  # every GUI module found and importable in the bundle
    assert is_inside(report["weights"], app / "_internal")  # shipped inside the app, found relative to it
    assert is_inside(report["icon"], app / "_internal")


def test_frozen_selftest_reports_failures(app, tmp_path):
    code, report = run_selftest([str(app / EXE), "--selftest", "--no-gui", "--min-psnr", "99"], cwd=tmp_path)
    assert code == 1 and report["ok"] is False and "PSNR" in report["errors"]["codec"]


def test_frozen_cli_encodes_and_decodes(app, tmp_path):
    env = clean_env()
    nic, png = tmp_path / "sample.nic", tmp_path / "back.png"
    run = [str(app / EXE)]
    subprocess.run(
        [*run, "encode", str(SAMPLE), "-o", str(nic), "-q", "60"], cwd=tmp_path, env=env, check=True, timeout=300
    )
    info = subprocess.run(
        [*run, "info", "--json", str(nic)], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(info.stdout)["quality"] == 60
    subprocess.run([*run, "decode", str(nic), "-o", str(png)], cwd=tmp_path, env=env, check=True, timeout=300)
    assert png.read_bytes().startswith(b"\x89PNG")
    bad = subprocess.run([*run, "decode", str(SAMPLE)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("nicgui: error:")


def test_bundle_is_under_one_gib(app):
    size = sum(p.stat().st_size for p in app.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size: {size / 1024**2:.0f} MiB")
    assert size < GiB


def test_bundle_ships_data_and_leaves_out_unused_parts(app):
    internal = app / "_internal"
    assert (internal / "weights" / "default.safetensors").is_file()
    assert (internal / "weights" / "theis-cae-s.safetensors").is_file()  # earlier releases' files need it
    assert {p.name for p in (internal / "resources").iterdir()} >= {"nicgui.png", "nicgui.svg"}
    assert (app / "install_desktop.sh").is_file() and (app / "linux" / "nicgui.desktop").is_file()
    names = [p.relative_to(internal).as_posix() for p in internal.rglob("*")]
    unwanted = re.compile(
        r"QtWebEngine|Qt6Quick|Qt6Qml|Qt6Pdf|Qt3D|QtMultimedia|^scipy/|^torch/test/|^torch/include/|^tkinter/"
    )
    assert not [n for n in names if unwanted.search(n)]


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="Linux ldd check")
def test_bundled_libraries_resolve_among_themselves(app):
    """No library of the app needs a Qt, PySide, torch or Python library that the app left out.

    (System libraries of a desktop, e.g. libxcb-cursor or libwayland-cursor, may be absent on a build
    server; Linux desktops provide them, as for any Qt 6 program.)
    """
    ours = re.compile(r"^(libQt6|libpyside|libshiboken|libtorch|libc10|libpython|libicu)")
    missing = set()
    for lib in (app / "_internal").rglob("*.so*"):
        if not lib.is_file() or lib.is_symlink():
            continue
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True).stdout
        for name in re.findall(r"^\s*(\S+) => not found", out, re.M):
            if ours.match(name):
                missing.add(f"{lib.name} -> {name}")
    assert not missing


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run (apt-get install xvfb xauth libxcb-cursor0)")
def test_frozen_app_starts_qt_on_an_x_server(app, tmp_path):
    """The bundled xcb platform plugin loads against a real (virtual) X display, as on a desktop."""
    command = ["xvfb-run", "-a", str(app / EXE), "--selftest", "--qt-platform", "xcb"]
    code, report = run_selftest(command, cwd=tmp_path)
    assert code == 0, report
    assert report["qt_platform"] == "xcb"
