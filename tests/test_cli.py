"""CLI: cwebp-like conventions, exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nicgui.cli import main


@pytest.fixture()
def png(tmp_path, photo) -> Path:
    p = tmp_path / "photo.png"
    Image.fromarray(photo).save(p)
    return p


def test_encode_info_decode(png, tmp_path, capsys):
    assert main(["encode", str(png), "-q", "40"]) == 0
    nic = png.with_suffix(".nic")
    assert nic.is_file() and nic.stat().st_size > 50
    assert main(["info", str(nic), "--json"]) == 0
    info = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (info["width"], info["height"], info["quality"], info["bytes"]) == (192, 128, 40, nic.stat().st_size)
    assert info["bpp"] == pytest.approx(8 * nic.stat().st_size / (192 * 128), abs=1e-3)
    out = tmp_path / "back.png"
    assert main(["decode", str(nic), "-o", str(out)]) == 0
    assert np.asarray(Image.open(out)).shape == (128, 192, 3)


def test_info_tells_what_a_weights_file_holds(tmp_path, capsys):
    from nicgui.codec.models import create
    from nicgui.codec.weights import save_weights

    weights = tmp_path / "w.safetensors"
    record = {"steps": 1234, "note": "run 7, 2 cores", "model": "not what it is"}
    identity = save_weights(create("theis-cae-s"), weights, info=record)
    assert main(["info", str(weights), "--json"]) == 0
    info = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (info["model"], info["model_family"]) == ("theis-cae-s", "theis-cae")
    assert info["model_digest"] == identity.digest.hex()
    assert (info["steps"], info["note"], info["bytes"]) == (1234, "run 7, 2 cores", weights.stat().st_size)
    assert info["parameters"] > 10**6
    assert main(["info", str(weights)]) == 0
    assert "note               run 7, 2 cores" in capsys.readouterr().out.splitlines()
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(weights.read_bytes()[:1000])
    for bad in (broken, tmp_path / "missing.safetensors"):
        assert main(["info", str(bad)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("nicgui: error:") and str(bad) in err and "\n" not in err


def test_existing_output_is_not_overwritten_without_force(png, capsys):
    nic = png.with_suffix(".nic")
    nic.write_bytes(b"keep me")
    assert main(["encode", str(png)]) == 1
    assert "exists" in capsys.readouterr().err
    assert nic.read_bytes() == b"keep me"
    assert main(["encode", str(png), "--force"]) == 0
    assert nic.read_bytes() != b"keep me"


@pytest.mark.parametrize(
    "args, message",
    [
        (["encode", "missing.png"], "not found"),
        (["decode", "missing.nic"], "not found"),
        (["info", "missing.nic"], "not found"),
    ],
)
def test_missing_files(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("nicgui: error:") and message in err and "\n" not in err


def test_bad_inputs_give_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.nic"
    junk.write_bytes(b"hello world")
    notimg = tmp_path / "notimg.png"
    notimg.write_text("not an image")
    for args in (["decode", str(junk)], ["info", str(junk)], ["encode", str(notimg)], ["encode", str(tmp_path)]):
        assert main(args) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("nicgui: error:") and len(err.splitlines()) == 1


def test_bad_quality_is_a_usage_error(png, capsys):
    with pytest.raises(SystemExit) as e:
        main(["encode", str(png), "-q", "101"])
    assert e.value.code == 2
    assert "1..100" in capsys.readouterr().err


def test_precision_is_a_choice_and_a_bad_one_is_a_usage_error(png, tmp_path, capsys, monkeypatch):
    for p in ("float32", "bfloat16"):
        assert main(["encode", str(png), "-o", str(tmp_path / f"{p}.nic"), "--precision", p]) == 0
        assert main(["decode", str(tmp_path / f"{p}.nic"), "--precision", p]) == 0
    a, b = (np.asarray(Image.open(tmp_path / f"{p}.decoded.png")).astype(float) for p in ("float32", "bfloat16"))
    assert 0 < np.abs(a - b).mean() < 1  # two arithmetics, nearly the same picture
    with pytest.raises(SystemExit) as e:
        main(["encode", str(png), "--precision", "half"])
    assert e.value.code == 2 and "float32" in capsys.readouterr().err
    monkeypatch.setenv("NICGUI_PRECISION", "half")
    assert main(["encode", str(png), "-o", str(tmp_path / "x.nic")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("nicgui: error: unknown precision 'half'") and "\n" not in err


def test_console_script_runs_without_traceback(tmp_path):
    bad = tmp_path / "bad.nic"
    bad.write_bytes(b"\x89NIC\r\n\x1a\n" + b"\0" * 40)
    r = subprocess.run([sys.executable, "-m", "nicgui.cli", "decode", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr and r.stderr.startswith("nicgui: error:")


@pytest.mark.parametrize("device", ["bogus", "mps", "meta", "cuda:7"])
def test_unusable_devices_are_one_line_errors(png, tmp_path, capsys, device):
    if device == "cuda:7":
        import torch

        if torch.cuda.device_count() > 7:
            pytest.skip("this machine has that GPU")
    assert main(["encode", str(png), "-o", str(tmp_path / "x.nic"), "--device", device]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("nicgui: error:") and "device" in err and "\n" not in err


def test_existing_output_is_refused_before_any_work(png, monkeypatch, capsys):
    import nicgui.codec.api as api

    png.with_suffix(".nic").write_bytes(b"keep")
    monkeypatch.setattr(api, "load_model", lambda *a, **k: pytest.fail("the model was loaded"))
    assert main(["encode", str(png)]) == 1
    assert "exists" in capsys.readouterr().err


def test_oversized_image_is_refused_from_its_header(tmp_path, capsys):
    import struct
    import time
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    big = tmp_path / "big.png"  # announces 16384 x 16384, holds no pixel data worth decoding
    ihdr = struct.pack(">IIBBBBB", 16384, 16384, 8, 2, 0, 0, 0)
    big.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    )
    t0 = time.perf_counter()
    assert main(["encode", str(big), "-o", str(tmp_path / "big.nic")]) == 1
    assert time.perf_counter() - t0 < 5
    err = capsys.readouterr().err
    assert "268435456" in err and "limit" in err


def test_mistyped_command_is_a_usage_error_not_a_window(capsys):
    assert main(["encdoe", "photo.png"]) == 2
    assert "did you mean 'encode'" in capsys.readouterr().err


def test_no_display_is_a_clear_error(monkeypatch, capsys, png):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main([str(png)]) == 2
    assert "no display" in capsys.readouterr().err


def test_decode_picks_the_files_own_model_and_info_names_it(png, tmp_path, capsys, codec):
    nic = tmp_path / "p.nic"
    assert main(["encode", str(png), "-o", str(nic), "--model", "theis-cae-s"]) == 0
    assert main(["info", str(nic), "--json"]) == 0
    info = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert info["model_family"] == "theis-cae" and info["format_version"] == 2
    assert main(["decode", str(nic), "-o", str(tmp_path / "p.png")]) == 0
    plain = tmp_path / "plain.nic"  # no --model: the default, the hyperprior
    assert main(["encode", str(png), "-o", str(plain)]) == 0
    assert main(["info", str(plain), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["model_family"] == "mean-scale"
    assert main(["decode", str(plain), "-o", str(tmp_path / "plain.png")]) == 0


def test_unknown_model_name_is_a_one_line_error(png, tmp_path, capsys):
    assert main(["encode", str(png), "-o", str(tmp_path / "x.nic"), "--model", "no-such-model"]) == 1
    err = capsys.readouterr().err
    assert "no-such-model" in err and "\n" not in err.strip()


def test_batch_compresses_files_and_folders_with_a_summary(tmp_path, photo, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.png", "b.png"):
        Image.fromarray(photo).save(src / name)
    Image.fromarray(photo[:64]).save(src / "a.jpg")
    (src / "notes.txt").write_text("not an image")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    out = tmp_path / "out"
    code = main(["batch", str(src), str(broken), "-o", str(out), "-q", "30", "--jobs", "2", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1  # one file failed, and says so
    assert sorted(p.name for p in out.iterdir()) == ["a.jpg.nic", "a.png.nic", "b.nic"]
    assert "3 of 4 files compressed, 1 failed" in captured.out
    assert "broken.png" in captured.err
    assert main(["batch", str(src), "-o", str(out), "--no-progress"]) == 0  # existing outputs are skipped
    assert "0 of 3 files compressed, 3 skipped" in capsys.readouterr().out


def test_python_dash_m_nicgui_is_the_cli(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nicgui", "info", str(tmp_path / "none.nic")], capture_output=True,
                       text=True)  # fmt: skip
    assert r.returncode == 1 and r.stderr.startswith("nicgui: error: file not found")


def test_opening_the_window_names_every_missing_x11_library(monkeypatch):
    import ctypes.util

    from nicgui.cli import _not_an_app_start

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    absent = {"xcb-icccm", "xcb-keysyms"}  # what a Debian 12 with libxcb-cursor0 alone lacked
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name in absent else f"lib{name}.so")
    message = _not_an_app_start([])
    assert message is not None and "libxcb-icccm4, libxcb-keysyms1" in message
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in message and "libxcb-cursor0" not in message
    absent.clear()
    assert _not_an_app_start([]) is None


def test_encode_with_effort_writes_a_smaller_file_that_decodes(png, tmp_path, capsys):
    plain, searched = tmp_path / "plain.nic", tmp_path / "searched.nic"
    assert main(["encode", str(png), "-o", str(plain), "-q", "40"]) == 0
    assert main(["encode", str(png), "-o", str(searched), "-q", "40", "--effort", "1", "--no-progress"]) == 0
    assert "quality 40, effort 1" in capsys.readouterr().out
    assert searched.stat().st_size < plain.stat().st_size
    assert main(["decode", str(searched), "-o", str(tmp_path / "back.png")]) == 0


@pytest.mark.parametrize(("text", "size"), [("1200", 1200), ("1.2k", 1200), ("2K", 2000), ("0.5M", 500_000)])
def test_size_target_fits_the_file_under_it(png, tmp_path, capsys, text, size):
    out = tmp_path / "fit.nic"
    assert main(["encode", str(png), "-o", str(out), "--size", text]) == 0
    assert out.stat().st_size <= size
    assert f"(target {size:,} bytes)" in capsys.readouterr().out


def test_psnr_and_bpp_targets(png, tmp_path, capsys):
    from nicgui.codec.api import load_model
    from nicgui.codec.metrics import psnr

    out = tmp_path / "p.nic"
    assert main(["encode", str(png), "-o", str(out), "--psnr", "30"]) == 0
    original = np.asarray(Image.open(png).convert("RGB"))
    assert psnr(original, load_model().decode(out.read_bytes()).rgb) >= 30
    assert main(["encode", str(png), "-o", str(out), "--bpp", "0.8", "-f"]) == 0
    h, w = original.shape[:2]
    assert out.stat().st_size * 8 <= 0.8 * w * h


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--size", "10"], "cannot fit in 10 bytes: the smallest file (quality 1) has"),
        (["--psnr", "90"], "cannot reach 90.00 dB: the best file (quality 100) reaches"),
        (["--roi", "nothere.png"], "mask not found: nothere.png"),
        (["--tune", "ms-ssim", "--effort", "0"], "need a search: use --effort 1 or more"),
    ],
)
def test_impossible_targets_and_conflicts_are_one_line_errors(png, tmp_path, capsys, extra, message):
    out = tmp_path / "x.nic"
    assert main(["encode", str(png), "-o", str(out), *extra]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    "extra",
    [["-q", "50", "--size", "2k"], ["--psnr", "30", "--bpp", "1"], ["--effort", "10"], ["--size", "lots"]],
)
def test_conflicting_or_malformed_flags_are_usage_errors(png, tmp_path, capsys, extra):
    with pytest.raises(SystemExit) as e:
        main(["encode", str(png), "-o", str(tmp_path / "x.nic"), *extra])
    assert e.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_a_mask_of_another_size_is_refused_before_any_work(png, tmp_path, capsys):
    mask = tmp_path / "mask.png"
    Image.new("L", (10, 10), 255).save(mask)
    assert main(["encode", str(png), "-o", str(tmp_path / "x.nic"), "--roi", str(mask)]) == 1
    err = capsys.readouterr().err
    assert "is 10x10, the picture 192x128: they must be the same size" in err


def test_a_region_of_interest_gets_more_quality(png, tmp_path):
    from nicgui.codec.api import load_model
    from nicgui.codec.metrics import psnr

    original = np.asarray(Image.open(png).convert("RGB"))
    h, w = original.shape[:2]
    mask = np.full((h, w), 5, np.uint8)
    mask[:, : w // 2] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    codec = load_model()
    outs = {}
    for name, extra in (("plain", []), ("roi", ["--roi", str(tmp_path / "mask.png")])):
        out = tmp_path / f"{name}.nic"
        assert main(["encode", str(png), "-o", str(out), "-q", "30", "-e", "4", "--no-progress", *extra]) == 0
        outs[name] = codec.decode(out.read_bytes()).rgb
    left = slice(0, w // 2)
    assert psnr(original[:, left], outs["roi"][:, left]) > psnr(original[:, left], outs["plain"][:, left])


def test_ctrl_c_during_a_search_leaves_no_file(png, tmp_path, capsys, monkeypatch):
    from nicgui.codec import refine

    calls = []

    def interrupted(v, tau, gen):
        calls.append(1)
        if len(calls) > 4:
            raise KeyboardInterrupt
        return v

    monkeypatch.setattr(refine, "soft_round", interrupted)
    out = tmp_path / "x.nic"
    assert main(["encode", str(png), "-o", str(out), "-e", "5", "--no-progress"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [png]


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["encode", "--help"], ["info", "NIC"]])
def test_help_version_and_info_start_without_torch(args, png, tmp_path):
    nic = tmp_path / "p.nic"
    assert main(["encode", str(png), "-o", str(nic)]) == 0
    args = [str(nic) if a == "NIC" else a for a in args]
    code = (
        f"import sys\nfrom nicgui.cli import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_help_says_how_to_open_the_app_and_version_is_given(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "nicgui [FILE ...]" in out and "--screenshot" in out and "--selftest" in out
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("nicgui ")


def test_decode_beside_the_original_does_not_collide_with_it(png, capsys):
    nic = png.with_suffix(".nic")
    assert main(["encode", str(png)]) == 0
    assert main(["decode", str(nic)]) == 0
    assert png.with_suffix(".decoded.png").is_file()
    assert "photo.decoded.png" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["encode", "PNG", "--model", "nosuch"], "no installed model is called 'nosuch'; installed: default"),
        (["encode", "PNG", "--weights", "PNG"], "photo.png is not a weights file (those end in .safetensors)"),
        (["encode", "PNG", "-o", "DIR"], "is a folder: give the output a file name"),
        (["encode", "PNG", "-o", "out.png"], "the output is a .nic file: name it out.nic (got out.png)"),
        (["decode", "NIC", "-o", "out.jpg"], "the output is a .png file: name it out.png (got out.jpg)"),
    ],
)
def test_messages_say_what_to_do(png, tmp_path, capsys, args, message):
    nic = tmp_path / "p.nic"
    assert main(["encode", str(png), "-o", str(nic)]) == 0
    (tmp_path / "folder").mkdir()
    subs = {"PNG": str(png), "NIC": str(nic), "DIR": str(tmp_path / "folder")}
    assert main([subs.get(a, a) for a in args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_failed_batch_leaves_no_empty_output_folder(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a picture")
    out = tmp_path / "new"
    assert main(["batch", str(bad), "-o", str(out), "--no-progress"]) == 1
    assert not out.exists()
    assert "0 of 1 files compressed, 1 failed" in capsys.readouterr().out


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    weights = Path(__file__).resolve().parents[1] / "weights" / "default.safetensors"
    p = subprocess.Popen(
        [sys.executable, "-m", "nicgui", "info", str(weights)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # as `nicgui info … | head -c 1` does
    assert p.wait() == 0 and p.stderr.read() == b""
