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
