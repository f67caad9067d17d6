"""User-facing wording of the Qt-free layer: counts, model names, window titles, errors, waiting labels."""

from __future__ import annotations

from nicgui.app.text import (
    describe_error,
    model_choice,
    plural,
    waiting_header,
    waiting_title,
    window_title,
)
from nicgui.errors import PictureError


def test_counts_agree_with_their_number():
    assert [plural(n, "image") for n in (0, 1, 2)] == ["0 images", "1 image", "2 images"]


def test_a_model_entry_says_each_name_once():
    assert model_choice("default", "mean-scale", "mean-scale") == "default  (mean-scale)"
    assert model_choice("theis-cae-s", "theis-cae-s", "theis-cae") == "theis-cae-s  (theis-cae)"
    assert model_choice("mine", "theis-cae-s", "theis-cae") == "mine  (theis-cae-s, theis-cae)"
    assert model_choice("mean-scale", "mean-scale", "mean-scale") == "mean-scale"


def test_the_window_title_names_the_file_and_its_quality():
    assert window_title(None) == "nicgui"
    assert window_title("photo.png", opening=True) == "nicgui — photo.png (opening…)"
    assert window_title("photo.png") == "nicgui — photo.png"
    assert window_title("photo.png", 75) == "nicgui — photo.png · q75"


def test_a_truncated_image_is_said_without_pillows_byte_count():
    e = PictureError("cannot read image: image file is truncated (0 bytes not processed)")
    assert describe_error(e) == "cannot read image: image file is truncated"
    assert describe_error(OSError("image file is truncated (12 bytes not processed)")) == "image file is truncated"


def test_waiting_labels_say_whether_anything_runs():
    assert waiting_title(60, "working") == "Reconstruction q60 · working…"
    assert waiting_title(60, "cancelled") == "Reconstruction q60 · cancelled"
    assert waiting_header(40, "working") == "nicgui q40 · working…"
    assert waiting_header(40, "cancelled") == "nicgui q40 · cancelled"
    assert "working" not in waiting_header(40, "idle")
