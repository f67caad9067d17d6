"""The wheel and sdist carry the weights and resources, and an installed wheel passes ``nicgui --selftest``.

The content checks build a wheel without build isolation (seconds, offline) and always run. The
release path (``python -m build``: sdist, then the wheel from the sdist) and the install into a new
virtual environment are slow, so they run when NICGUI_TEST_WHEEL=1 (packaging/build_and_selftest.sh).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.packaging._helpers import ROOT, SAMPLE, clean_env, is_inside, require_module, requires_wheel, run_selftest

PROJECT_FILES = ("pyproject.toml", "README.md", "nicgui", "weights", "resources")


def _copy_project(dest: Path) -> Path:
    """The files a build reads, copied so that building never writes into the checkout."""
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.tmp"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _expected_data_files() -> dict[str, Path]:
    files = {f"nicgui/weights/{p.name}": p for p in (ROOT / "weights").glob("*.safetensors")}
    files.update({f"nicgui/resources/{p.name}": p for p in (ROOT / "resources").iterdir() if p.is_file()})
    return files


@pytest.fixture(scope="module")
def quick_wheel(tmp_path_factory) -> Path:
    src = _copy_project(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(src), "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("nicgui-*.whl")
    return wheel


def _check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for arcname, source in _expected_data_files().items():
            assert arcname in names, f"{arcname} missing from {wheel.name}"
            assert _sha256(zf.read(arcname)) == _sha256(source.read_bytes()), arcname
        assert "nicgui/weights/default.safetensors" in names
        assert "nicgui/weights/theis-cae-s.safetensors" in names  # what every earlier release's files name
        for init in (ROOT / "nicgui").rglob("__init__.py"):  # every package of the source tree
            rel = init.relative_to(ROOT).as_posix()
            assert rel in names, (
                f"package {init.parent.name} is not in the wheel (add it to [tool.setuptools] packages)"
            )
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
        metadata = Parser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
    assert "nicgui = nicgui.cli:main" in entry_points
    requirements = {Requirement(r).name: Requirement(r) for r in metadata.get_all("Requires-Dist")}
    assert "2.14.9" in requirements["torch"].specifier and "2.15" not in requirements["torch"].specifier
    assert {"pyside6-essentials", "pillow", "safetensors", "constriction"} <= {n.lower() for n in requirements}


def test_wheel_contains_weights_resources_and_every_package(quick_wheel):
    _check_wheel(quick_wheel)


def test_wheel_stays_small(quick_wheel):
    assert quick_wheel.stat().st_size < 50 * 1024**2


@pytest.fixture(scope="module")
def release_dist(tmp_path_factory) -> tuple[Path, Path]:
    """(sdist, wheel) from ``python -m build``, the wheel built from the sdist as for a release."""
    require_module("build")
    src = _copy_project(tmp_path_factory.mktemp("release-src"))
    out = tmp_path_factory.mktemp("release")
    r = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(src)], capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    (sdist,) = out.glob("nicgui-*.tar.gz")
    (wheel,) = out.glob("nicgui-*.whl")
    return sdist, wheel


@requires_wheel
def test_release_build_keeps_data_in_sdist_and_wheel(release_dist):
    sdist, wheel = release_dist
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert "weights/default.safetensors" in names and "resources/nicgui.png" in names
    _check_wheel(wheel)


@pytest.fixture(scope="module")
def wheel_venv(release_dist, tmp_path_factory) -> Path:
    """A new virtual environment (no system site-packages) with the CPU torch and the release wheel."""
    import torch

    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # The exact torch of this environment (a CPU build here), so pip never fetches a CUDA build.
    for target in (f"torch=={torch.__version__}", str(release_dist[1])):
        r = subprocess.run([*pip, target], capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, f"pip install {target} failed:\n{r.stderr[-3000:]}"
    return venv


@requires_wheel
def test_installed_wheel_passes_the_selftest(wheel_venv, tmp_path):
    code, report = run_selftest([str(wheel_venv / "bin" / "nicgui"), "--selftest"], cwd=tmp_path)
    assert code == 0, report
    assert report["ok"] is True and report["frozen"] is False and report["version"] != "unknown"
    assert is_inside(report["weights"], wheel_venv)  # the packaged weights, not the checkout's
    assert is_inside(report["icon"], wheel_venv)


@requires_wheel
def test_installed_wheel_cli_and_pillow_plugin(wheel_venv, tmp_path):
    env = clean_env()
    nicgui = str(wheel_venv / "bin" / "nicgui")
    nic = tmp_path / "sample.nic"
    subprocess.run(
        [nicgui, "encode", str(SAMPLE), "-o", str(nic), "-q", "60"], cwd=tmp_path, env=env, check=True, timeout=300
    )
    png = tmp_path / "back.png"
    subprocess.run([nicgui, "decode", str(nic), "-o", str(png)], cwd=tmp_path, env=env, check=True, timeout=300)
    code = (
        "import sys, nicgui.pillow; from PIL import Image; "
        "im = Image.open(sys.argv[1]); im.load(); print(im.format, *im.size)"
    )
    out = subprocess.run(
        [str(wheel_venv / "bin" / "python"), "-c", code, str(nic)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    from PIL import Image

    with Image.open(SAMPLE) as im:
        width, height = im.size
    assert out.stdout.split() == ["NIC", str(width), str(height)], out.stderr[-2000:]
    with Image.open(png) as im:
        assert im.size == (width, height)
