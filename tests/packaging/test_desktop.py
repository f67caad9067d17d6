"""Linux desktop integration: the .desktop entry, the MIME type and install_desktop.sh in a throwaway HOME."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nicgui.codec.bitstream import MAGIC
from tests.packaging._helpers import ROOT

LINUX = ROOT / "packaging" / "linux"
SCRIPT = ROOT / "packaging" / "install_desktop.sh"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
pytestmark = pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _unescape_magic(value: str) -> bytes:
    """shared-mime-info string values use C escapes (\\xNN, \\r, \\n)."""
    return value.encode("latin-1").decode("unicode_escape").encode("latin-1")


@pytest.fixture()
def home(tmp_path) -> dict[str, str]:
    """An environment whose HOME and XDG folders are empty temporary folders."""
    h = tmp_path / "home"
    h.mkdir()
    env = dict(os.environ, HOME=str(h), XDG_DATA_HOME=str(h / "data"), XDG_CONFIG_HOME=str(h / "config"))
    env["XDG_DATA_DIRS"] = f"{h / 'data'}:/usr/share"
    return env


@pytest.fixture()
def program(tmp_path) -> Path:
    """A stand-in for the nicgui executable."""
    p = tmp_path / "bin" / "nicgui"
    p.parent.mkdir()
    p.write_text("#!/bin/sh\nexit 0\n")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return p


def _install(env: dict[str, str], *args: str, script: Path = SCRIPT) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=60)


def test_desktop_entry_declares_the_nic_type():
    entry = _desktop_entry(LINUX / "nicgui.desktop")
    assert entry["Type"] == "Application" and entry["Icon"] == "nicgui"
    assert entry["Exec"] == "nicgui %F" and entry["Terminal"] == "false"
    assert "application/x-nic" in entry["MimeType"].split(";")


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="needs desktop-file-utils")
def test_desktop_entry_is_valid():
    r = subprocess.run(["desktop-file-validate", str(LINUX / "nicgui.desktop")], capture_output=True, text=True)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout


def test_mime_definition_matches_the_file_format():
    root = ET.parse(LINUX / "nicgui-mime.xml").getroot()
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == "application/x-nic"
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*.nic"]
    (match,) = mime.iter(f"{MIME_NS}match")
    assert match.get("type") == "string" and match.get("offset") == "0"
    assert _unescape_magic(match.get("value")) == MAGIC  # the codec's magic bytes, exactly


def test_install_puts_everything_under_xdg_data_home(home, program):
    r = _install(home, "--exec", str(program))
    assert r.returncode == 0, r.stderr
    data = Path(home["XDG_DATA_HOME"])
    for rel in (
        "applications/nicgui.desktop",
        "mime/packages/nicgui.xml",
        "icons/hicolor/256x256/apps/nicgui.png",
        "icons/hicolor/scalable/apps/nicgui.svg",
    ):
        assert (data / rel).is_file(), rel
    entry = _desktop_entry(data / "applications" / "nicgui.desktop")
    assert entry["Exec"] == f"{program} %F" and entry["TryExec"] == str(program)
    assert not (Path(home["HOME"]) / ".local").exists()  # XDG_DATA_HOME was honoured


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="needs desktop-file-utils")
def test_odd_program_paths_are_quoted(home, tmp_path):
    odd = tmp_path / "my apps & 100%" / "nicgui"
    odd.parent.mkdir()
    odd.write_text("#!/bin/sh\n")
    odd.chmod(0o755)
    assert _install(home, "--exec", str(odd), "--no-default").returncode == 0
    desktop = Path(home["XDG_DATA_HOME"]) / "applications" / "nicgui.desktop"
    assert _desktop_entry(desktop)["Exec"] == f'"{str(odd).replace("%", "%%")}" %F'
    assert subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True).returncode == 0


@pytest.mark.skipif(
    not (shutil.which("update-mime-database") and shutil.which("gio")), reason="needs shared-mime-info and gio"
)
def test_installed_type_recognises_nic_files_by_content(home, program, tmp_path, photo, codec):
    assert _install(home, "--exec", str(program)).returncode == 0
    nameless = tmp_path / "no_extension"
    nameless.write_bytes(codec.encode(photo[:16, :16], 50))
    named = tmp_path / "photo.nic"
    named.write_bytes(b"\0")
    for path in (nameless, named):
        out = subprocess.run(
            ["gio", "info", "-a", "standard::content-type", str(path)], env=home, capture_output=True, text=True
        ).stdout
        assert "application/x-nic" in out, (path.name, out)


@pytest.mark.skipif(not shutil.which("xdg-mime"), reason="needs xdg-utils")
def test_nicgui_becomes_the_default_application(home, program):
    assert _install(home, "--exec", str(program)).returncode == 0
    mimeapps = Path(home["XDG_CONFIG_HOME"]) / "mimeapps.list"
    assert "application/x-nic=nicgui.desktop" in mimeapps.read_text()


def test_uninstall_removes_the_files(home, program):
    assert _install(home, "--exec", str(program)).returncode == 0
    r = _install(home, "--uninstall")
    assert r.returncode == 0, r.stderr
    data = Path(home["XDG_DATA_HOME"])
    assert not (data / "applications" / "nicgui.desktop").exists()
    assert not (data / "mime" / "packages" / "nicgui.xml").exists()
    assert not list((data / "icons").rglob("nicgui.*"))


def test_a_missing_program_is_an_error(home, tmp_path):
    r = _install(dict(home, PATH="/usr/bin:/bin"), "--exec", str(tmp_path / "nope"))
    assert r.returncode != 0 and "not an executable" in r.stderr
    assert not (Path(home["XDG_DATA_HOME"]) / "applications" / "nicgui.desktop").exists()


def test_unknown_argument_is_an_error(home):
    r = _install(home, "--frobnicate")
    assert r.returncode != 0 and "unknown argument" in r.stderr


def test_in_a_frozen_app_folder_the_script_runs_the_app_next_to_it(home, tmp_path):
    """The build copies the script and linux/ next to the program; icons are in _internal/resources."""
    app = tmp_path / "dist" / "nicgui"
    (app / "_internal" / "resources").mkdir(parents=True)
    shutil.copy2(SCRIPT, app / "install_desktop.sh")
    shutil.copytree(LINUX, app / "linux")
    for name in ("nicgui.png", "nicgui.svg"):
        shutil.copy2(ROOT / "resources" / name, app / "_internal" / "resources" / name)
    exe = app / "nicgui"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    r = _install(dict(home, PATH="/usr/bin:/bin"), script=app / "install_desktop.sh")
    assert r.returncode == 0, r.stderr
    entry = _desktop_entry(Path(home["XDG_DATA_HOME"]) / "applications" / "nicgui.desktop")
    assert entry["Exec"] == f"{exe} %F"
