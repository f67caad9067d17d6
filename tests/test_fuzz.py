"""A short run of the .nic fuzz target (fuzz/fuzz_nic.py): no input may raise anything but the
documented errors, be slow, or grow memory."""

from __future__ import annotations

import importlib.util
from pathlib import Path

FUZZ = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_nic.py"


def test_short_fuzz_run_finds_nothing(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("fuzz_nic", FUZZ)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.run(1500, seed=1, max_seconds=2.0, out_dir=tmp_path) == 0
    assert not list(tmp_path.iterdir())
    assert "refused with a documented error" in capsys.readouterr().out
