"""Atomic writes: all or nothing, never over an existing file unless told, one winner per name."""

from __future__ import annotations

import threading

import pytest

from nicgui.atomic import TEMP_SUFFIX, atomic_path, atomic_write, leftover_temporaries


def test_never_overwrites_unless_told(tmp_path):
    p = tmp_path / "f.nic"
    assert atomic_write(p, b"one") == 3
    with pytest.raises(FileExistsError):
        atomic_write(p, b"two")
    assert p.read_bytes() == b"one"
    atomic_write(p, b"three", overwrite=True)
    assert p.read_bytes() == b"three"
    with pytest.raises(OSError):
        atomic_write(tmp_path / "missing" / "g.nic", b"x")
    assert [q.name for q in tmp_path.iterdir()] == ["f.nic"]  # no temporary files left


def test_two_writers_of_a_new_name_have_exactly_one_winner(tmp_path):
    for trial in range(10):
        target = tmp_path / f"race{trial}.nic"
        barrier = threading.Barrier(2)
        results: list[str] = []

        def writer(data: bytes) -> None:
            barrier.wait()
            try:
                atomic_write(target, data)
                results.append("won")
            except FileExistsError:
                results.append("lost")

        threads = [threading.Thread(target=writer, args=(d,)) for d in (b"A" * 4096, b"B" * 4096)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["lost", "won"]
        assert target.read_bytes() in (b"A" * 4096, b"B" * 4096)


def test_a_planted_link_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".out.nic.1234.tmp", f".out.nic.{0:012x}{TEMP_SUFFIX}"):  # old and guessable names
        (tmp_path / name).symlink_to(victim)
    atomic_write(tmp_path / "out.nic", b"data")
    assert victim.read_text() == "precious" and (tmp_path / "out.nic").read_bytes() == b"data"


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "w.safetensors") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("export failed")
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_process_are_findable(tmp_path):
    stale = tmp_path / f".photo.nic.abcdef123456{TEMP_SUFFIX}"
    stale.write_bytes(b"x")
    (tmp_path / "photo.png").write_bytes(b"y")
    assert leftover_temporaries(tmp_path) == [stale]
