"""The side-by-side views' layout, checked on the widgets' real geometry: the views keep their room
when the picture's shape changes (landscape -> portrait -> landscape), and the arrangement (row,
2x2 grid or column) is the one that shows the picture largest in the area, on every picture switch
and on every resize, without flipping back and forth near the boundary."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from nicgui.app.heatmaps import Heatmap, HeatmapKind
from nicgui.gui.views import CLASSIC, ImageViews
from tests.gui.conftest import drop, wait_result

LANDSCAPE = (768, 512)  # (width, height), as Kodak's
PORTRAIT = (512, 768)


def picture(size: tuple[int, int]) -> np.ndarray:
    w, h = size
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    return rgb


def show_picture(v: ImageViews, size: tuple[int, int]) -> None:
    """A new picture with its reconstruction and error map, as the window shows one."""
    rgb = picture(size)
    v.set_original(rgb)
    v.set_reconstruction(rgb)
    v.set_heatmap(Heatmap(HeatmapKind.ABS, np.zeros(rgb.shape[:2], np.float32), rgb, (0.0, 32.0)))


def settle() -> None:
    """Deliver the posted layout requests, resizes and deferred refits."""
    for _ in range(3):
        QApplication.processEvents()


@pytest.fixture
def views(qtbot):
    v = ImageViews()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    qtbot.waitExposed(v)
    settle()
    return v


def shown_views(v: ImageViews) -> list[int]:
    return [i for i, vb in enumerate(v.boxes) if vb.isVisible()]


def picture_on_screen(v: ImageViews, i: int) -> QRectF:
    """The part of the widget where view ``i`` shows its picture, in the widget's coordinates."""
    vb, item = v.boxes[i], v.items[i]
    rect = item.sceneBoundingRect().intersected(vb.sceneBoundingRect())
    return v.side.mapFromScene(rect).boundingRect().toRectF().intersected(QRectF(v.side.rect()))


def check_room(v: ImageViews) -> None:
    """Every view shown has a large, real cell inside the widget, the cells are equal and apart,
    and the pictures together fill a fair share of the area."""
    area = QRectF(v.side.rect())
    shown = shown_views(v)
    assert len(shown) >= 3
    rects = [v.side.mapFromScene(v.boxes[i].sceneBoundingRect()).boundingRect().toRectF() for i in shown]
    for r in rects:
        assert r.width() * r.height() > 0.1 * area.width() * area.height(), (r, area)
        assert min(r.width(), r.height()) > 0.25 * min(area.width(), area.height()), (r, area)
        assert area.adjusted(-1, -1, 1, 1).contains(r), (r, area)
        assert abs(r.width() - rects[0].width()) < 1.5 and abs(r.height() - rects[0].height()) < 1.5  # equal cells
    for j, a in enumerate(rects):
        for b in rects[j + 1 :]:
            overlap = a.intersected(b)
            assert overlap.width() * overlap.height() < 4, (a, b)
    for i in shown:  # the titles are above their views, not over them
        title = v.titles[i].sceneBoundingRect()
        assert title.bottom() <= v.boxes[i].sceneBoundingRect().top() + 1
        assert title.height() > 5
    filled = sum(picture_on_screen(v, i).width() * picture_on_screen(v, i).height() for i in shown)
    assert filled > 0.35 * area.width() * area.height(), filled / (area.width() * area.height())


def test_views_keep_their_room_from_landscape_to_portrait_and_back(views):
    for size in (LANDSCAPE, PORTRAIT, LANDSCAPE, PORTRAIT, LANDSCAPE):
        show_picture(views, size)
        settle()
        check_room(views)


def test_with_the_classical_view_too(views):
    show_picture(views, LANDSCAPE)
    views.set_classic(picture(LANDSCAPE))
    for size in (PORTRAIT, LANDSCAPE, (600, 600)):
        show_picture(views, size)
        settle()
        assert len(shown_views(views)) == 4
        check_room(views)
    views.set_classic(None)  # three views again: they take the room back
    settle()
    assert not views.boxes[CLASSIC].isVisible()
    check_room(views)


def test_a_portrait_picture_in_a_wide_area_is_not_a_thumbnail(views):
    """The issue's case: an 816x1150 photo in an 800x450 area was shown at about 80x110 px per view."""
    views.resize(800, 450)
    show_picture(views, (816, 1150))
    views.set_classic(picture((816, 1150)))
    settle()
    shown = [picture_on_screen(views, i) for i in shown_views(views)]
    assert len(shown) == 4
    for r in shown:
        assert r.height() > 2 * 110 and r.width() > 1.5 * 80, r
    assert views.zoom_factor() > 2 * 110 / 1150
    assert views.arrangement == (1, 4)  # a row: the tall picture gets the whole height


@pytest.mark.parametrize(
    ("area", "size", "expected"),
    [
        ((1000, 600), LANDSCAPE, (2, 2)),
        ((1000, 600), PORTRAIT, (1, 3)),
        ((1000, 600), (512, 512), (1, 3)),
        ((1400, 500), LANDSCAPE, (1, 3)),  # a very wide area: a row even for a landscape picture
        ((600, 1000), LANDSCAPE, (3, 1)),  # a tall area: a column
        ((600, 1000), PORTRAIT, (2, 2)),
    ],
)
def test_the_arrangement_shows_the_picture_largest(views, area, size, expected):
    views.resize(*area)
    show_picture(views, size)
    settle()
    assert tuple(views.arrangement) == expected
    assert views.grid == (expected == (2, 2))
    check_room(views)
    chosen = views.zoom_factor()
    # no other arrangement would show it larger: try each one in place of the chosen one
    for other in {(1, 3), (2, 2), (3, 1)} - {expected}:
        views._arrangement = type(views.arrangement)(*other)
        views._placed = None
        views._place(sticky=1e9)  # keep this one, as if it had been chosen
        settle()
        views.fit()
        assert views.zoom_factor() <= chosen * 1.001, other


def test_resizing_refits_the_arrangement_and_does_not_flap(views):
    show_picture(views, (512, 512))
    settle()
    seen = []
    for width in (700, 880, 905, 912, 905, 912, 905, 912, 1100, 700):  # row and grid are equal near 910
        views.resize(width, 600)
        settle()
        check_room(views)
        seen.append(tuple(views.arrangement))
    assert seen[0] == (2, 2) and seen[-2] == (1, 3) and seen[-1] == (2, 2)  # it follows the area
    changes = sum(a != b for a, b in zip(seen, seen[1:], strict=False))
    assert changes <= 3  # grid -> row (once, near the boundary or at 1100) -> grid
    assert len(set(seen[2:8])) == 1  # back and forth by a few pixels: no flipping


def test_landscape_portrait_landscape_in_the_window(qtbot, window, photo_file, photo, tmp_path):
    """Through the app, as a user opens one file after another: the views never go blank."""
    portrait = tmp_path / "portrait.png"
    Image.fromarray(np.ascontiguousarray(photo.transpose(1, 0, 2))).save(portrait)
    for path in (photo_file, portrait, photo_file):
        assert drop(window, [path])
        wait_result(qtbot, window, source=path.name)
        settle()
        check_room(window.views)


def test_a_long_title_is_cut_short_in_its_cell_not_run_over_its_neighbours(views):
    views.resize(800, 450)
    show_picture(views, (816, 1150))
    long = "JPEG XL q37 · 12,345 B (nicgui's size or less) and some more words that cannot fit"
    views.set_classic(picture((816, 1150)), long)
    settle()
    title = views.titles[CLASSIC]
    text_width = title.item.mapRectToParent(title.item.boundingRect()).width()
    assert text_width <= title.width() + 1  # inside its own cell
    assert title.text.endswith("…") and title.toolTip() == long  # the whole of it on hover
    assert views.titles_text[CLASSIC] == long
    views.resize(3200, 1600)  # room again: the whole title
    settle()
    assert title.text == long
    assert title.toolTip() == ""


def test_the_first_window_fits_the_screen():
    from nicgui.gui.window import DEFAULT_SIZE, default_size

    assert default_size((2560, 1440)) == DEFAULT_SIZE
    assert default_size((960, 540)) == (864, 486)  # 1920x1080 at 2x: the window once opened at 1500x950
