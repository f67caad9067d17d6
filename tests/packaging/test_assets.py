"""Resources and icons: found relative to the code, the PNG and SVG icons depict the same picture."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from nicgui import assets
from tests.packaging._helpers import ROOT

RESOURCES = ROOT / "resources"


def _load_make_icon():
    spec = importlib.util.spec_from_file_location("make_icon", ROOT / "packaging" / "make_icon.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_icon"] = module
    spec.loader.exec_module(module)
    return module


make_icon = _load_make_icon()


def test_resource_path_finds_the_checkout_icon_from_another_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert assets.resource_path(assets.APP_ICON_PNG) == RESOURCES / "nicgui.png"


def test_frozen_app_folder_comes_first(tmp_path, monkeypatch):
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "nicgui.png").write_bytes(b"frozen copy")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert assets.resources_dirs()[0] == tmp_path / "resources"
    assert assets.resource_path("nicgui.png") == tmp_path / "resources" / "nicgui.png"


def test_missing_resource_names_the_folders_searched():
    with pytest.raises(FileNotFoundError) as e:
        assets.resource_path("no-such-file.png")
    assert str(RESOURCES) in str(e.value)


def test_png_icon_is_a_square_rgba_with_transparent_corners():
    with Image.open(RESOURCES / "nicgui.png") as im:
        assert im.format == "PNG" and im.mode == "RGBA" and im.size == (256, 256)
        alpha = np.asarray(im.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0 and alpha[128, 128] == 255
    assert (alpha == 255).mean() > 0.7


@pytest.mark.parametrize("name, sizes", [("nicgui.ico", {16, 32, 48, 256}), ("nicgui.icns", {16, 32, 128, 256, 512})])
def test_platform_icons_hold_the_usual_sizes(name, sizes):
    with Image.open(RESOURCES / name) as im:
        present = {s[0] for s in im.info["sizes"]}
    assert sizes <= present


def test_svg_icon_is_plain_svg_without_clip_paths():
    root = ET.parse(RESOURCES / "nicgui.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 256 256"
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert "clipPath" not in tags and "mask" not in tags  # Qt's SVG renderer supports neither
    assert "polygon" in tags


def test_svg_and_png_icons_look_the_same(qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(RESOURCES / "nicgui.svg"))
    assert renderer.isValid()
    image = QImage(256, 256, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    svg = np.frombuffer(image.constBits(), np.uint8).reshape(256, image.bytesPerLine() // 4, 4)[:, :256].astype(float)
    png = np.asarray(Image.open(RESOURCES / "nicgui.png").convert("RGBA")).astype(float)
    opaque = (svg[..., 3] == 255) & (png[..., 3] == 255)
    assert np.abs(svg[..., 3] - png[..., 3]).mean() < 4  # same silhouette
    assert np.abs(svg[opaque, :3] - png[opaque, :3]).mean() < 6  # same colours


def test_clip_polygon_cuts_to_the_frame():
    frame = make_icon.frame_polygon()
    inside = [(100.0, 100.0), (120.0, 100.0), (120.0, 120.0), (100.0, 120.0)]
    assert make_icon.clip_polygon(inside, frame) == inside
    assert make_icon.clip_polygon([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)], frame) == []
    corner = make_icon.clip_polygon([(200.0, 200.0), (256.0, 200.0), (256.0, 256.0), (200.0, 256.0)], frame)
    assert corner and all(x <= 240 + 1e-9 and y <= 240 + 1e-9 for x, y in corner)
    lo, hi = make_icon.EDGE + make_icon.CORNER, make_icon.CANVAS - make_icon.EDGE - make_icon.CORNER
    assert all(np.hypot(max(x - hi, 0), max(y - hi, 0)) <= make_icon.CORNER + 1e-6 for x, y in corner)
    assert lo < hi


def test_make_icon_writes_all_four_files(tmp_path):
    paths = make_icon.write_icons(tmp_path)
    assert [p.name for p in paths] == ["nicgui.png", "nicgui.svg", "nicgui.ico", "nicgui.icns"]
    committed = ET.parse(RESOURCES / "nicgui.svg").getroot()
    fresh = ET.parse(tmp_path / "nicgui.svg").getroot()
    assert len(list(fresh.iter())) == len(list(committed.iter()))  # same shapes as the shipped icon
    assert Image.open(tmp_path / "nicgui.png").size == (256, 256)
