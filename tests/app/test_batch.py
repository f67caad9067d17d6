"""Batch output names: one distinct output per input."""

from __future__ import annotations

from pathlib import Path

from nicgui.app.batch import output_paths


def test_outputs_sit_beside_their_inputs_or_in_the_chosen_folder():
    files = [Path("/a/x.png"), Path("/b/y.jpg")]
    assert output_paths(files, None) == [Path("/a/x.nic"), Path("/b/y.nic")]
    assert output_paths(files, Path("/out")) == [Path("/out/x.nic"), Path("/out/y.nic")]


def test_same_stem_different_suffix_keep_their_suffix():
    files = [Path("/a/photo.png"), Path("/a/photo.jpg"), Path("/a/other.png")]
    assert output_paths(files, None) == [Path("/a/photo.png.nic"), Path("/a/photo.jpg.nic"), Path("/a/other.nic")]


def test_same_name_from_two_folders_into_one_folder_and_repeats_are_numbered():
    files = [Path("/a/p.png"), Path("/b/p.png"), Path("/a/p.png")]
    out = output_paths(files, Path("/o"))
    assert len(set(out)) == 3 and out[0] == Path("/o/p.png.nic")


def test_a_batch_file_meets_a_size_target_and_a_searched_one_is_smaller(tmp_path):
    from PIL import Image

    from nicgui.app.batch import compress_file
    from nicgui.codec.api import load_model
    from nicgui.codec.effort import SearchOptions
    from nicgui.codec.target import Target
    from tests.conftest import synthetic_photo

    src = tmp_path / "p.png"
    Image.fromarray(synthetic_photo(64, 96, seed=3)).save(src)
    codec = load_model(None, "cpu", "float32")
    fit = compress_file(codec, src, tmp_path / "fit.nic", 75, False, target=Target(max_bytes=900))
    assert fit.status == "compressed" and (tmp_path / "fit.nic").stat().st_size <= 900
    plain = compress_file(codec, src, tmp_path / "plain.nic", 40, False)
    searched = compress_file(codec, src, tmp_path / "searched.nic", 40, False, SearchOptions(iterations=30))
    assert searched.status == plain.status == "compressed"
    assert (tmp_path / "searched.nic").stat().st_size < (tmp_path / "plain.nic").stat().st_size
    failed = compress_file(codec, src, tmp_path / "tiny.nic", 75, False, target=Target(max_bytes=10))
    assert failed.status == "failed" and "cannot fit in 10 bytes" in (failed.error or "")
    assert not (tmp_path / "tiny.nic").exists()
