"""The codec API end to end: sizes, modes, alpha, ICC, orientation, quality, tiling, models."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image, ImageCms

import nicgui.codec.api as api
from nicgui.codec.bitstream import NicFormatError, read_nic
from nicgui.codec.metrics import mse, psnr
from nicgui.codec.models import CompressiveAutoencoder
from nicgui.codec.models.theis import SIZES as REGISTRY
from nicgui.codec.weights import load_weights, save_weights


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (8, 8), (9, 17), (31, 5), (64, 72)])
def test_any_size_round_trips_to_the_same_size(codec, photo, shape):
    img = np.ascontiguousarray(photo[: shape[0], : shape[1]])
    pic = codec.decode(codec.encode(img, 80))
    assert pic.rgb.shape == img.shape and pic.mode == "RGB"


def test_decoding_is_deterministic_and_matches_compress(codec, photo):
    a = codec.analyse(photo)
    r = codec.compress(a, 60)
    d = codec.decode_full(r.data)
    assert np.array_equal(d.quantised.z, r.quantised.z)
    assert np.array_equal(d.picture.rgb, r.picture.rgb)
    assert r.data == codec.encode(photo, 60)


def test_reconstruction_resembles_the_image(codec, photo):
    pic = codec.decode(codec.encode(photo, 90))
    assert psnr(photo, pic.rgb) > 24


def test_rgba_keeps_alpha_exactly(codec, photo):
    alpha = (np.arange(photo.shape[0] * photo.shape[1]) % 251).astype(np.uint8).reshape(photo.shape[:2])
    rgba = np.dstack([photo, alpha])
    pic = codec.decode(codec.encode(rgba, 50))
    assert pic.mode == "RGBA" and np.array_equal(pic.alpha, alpha)
    assert np.array_equal(np.asarray(pic.to_pil())[:, :, 3], alpha)


def test_grey_stays_grey(codec, photo):
    grey = photo.mean(axis=2).astype(np.uint8)
    pic = codec.decode(codec.encode(grey, 70))
    assert pic.mode == "L" and pic.to_pil().mode == "L"
    assert psnr(grey, np.asarray(pic.to_pil())) > 22
    la = Image.fromarray(np.dstack([grey, grey[::-1]]), "LA")
    pic = codec.decode(codec.encode(la, 70))
    assert pic.mode == "LA" and np.array_equal(pic.alpha, grey[::-1])


def test_palette_with_transparency_keeps_alpha(codec, photo):
    im = Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    im.info["transparency"] = 0
    pic = codec.decode(codec.encode(im, 50))
    assert pic.mode == "RGBA"
    assert np.array_equal(pic.alpha, np.asarray(im.convert("RGBA"))[:, :, 3])


def test_exif_orientation_is_applied(codec, photo):
    im = Image.fromarray(photo)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif, quality=95)
    pic = codec.decode(codec.encode(buf.getvalue(), 50))
    assert (pic.height, pic.width) == (photo.shape[1], photo.shape[0])


def test_icc_profile_is_kept(codec, photo):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="PNG", icc_profile=icc)
    data = codec.encode(buf.getvalue(), 50)
    pic = codec.decode(data)
    assert pic.icc == icc
    out = io.BytesIO()
    pic.save_png(out)
    assert Image.open(io.BytesIO(out.getvalue())).info["icc_profile"] == icc


def test_quality_is_monotone_over_the_whole_range(codec, photo):
    a = codec.analyse(photo)
    sizes, errors = [], []
    for q in range(1, 101):
        r = codec.compress(a, q)
        sizes.append(len(r.data))
        errors.append(mse(photo, r.picture.rgb))
    assert all(b >= s for s, b in zip(sizes, sizes[1:], strict=False)), "the file must not shrink as quality rises"
    assert sizes[-1] > 3 * sizes[0]
    assert errors[-1] < 0.5 * errors[0]
    # Error falls with quality; between neighbouring qualities (about 3 % apart in rate) a single
    # image may see rounding noise of about a per cent, never a real step back.
    assert all(errors[i + 10] < errors[i] for i in range(90))
    assert all(e2 <= e1 * 1.03 for e1, e2 in zip(errors, errors[1:], strict=False))


def test_requantising_reuses_the_analysis(codec, photo, monkeypatch):
    a = codec.analyse(photo)
    calls = []
    monkeypatch.setattr(codec.model.encoder, "forward", lambda x: calls.append(1))
    for q in (10, 50, 90):
        codec.compress(a, q)
    assert not calls


def test_invalid_quality_is_refused(codec, photo):
    for q in (0, 101, 50.5, "50", True):
        with pytest.raises(ValueError, match="quality"):
            codec.encode(photo, q)


def test_tiled_processing_matches_whole_image(codec, photo, monkeypatch):
    img = np.ascontiguousarray(np.concatenate([photo, photo[::-1]], 0)[:, :176])  # 256 x 176
    whole = codec.analyse(img)
    whole_r = codec.compress(whole, 70)
    monkeypatch.setattr(api, "ENCODER_TILE", 64)
    family = type(codec.model)
    monkeypatch.setattr(family, "decoder_tile", 8)
    monkeypatch.setattr(family, "coding_tile", 16)
    tiled = codec.analyse(img)
    assert np.abs(tiled.y - whole.y).max() < 1e-3
    tiled_r = codec.compress(tiled, 70)
    assert np.mean(tiled_r.quantised.z == whole_r.quantised.z) > 0.9999
    assert read_nic(tiled_r.data).header.n_tiles == 2 * 2  # ceil(32 / 16) * ceil(22 / 16)
    rec = codec.synthesise(whole_r.quantised, img.shape[1], img.shape[0])
    monkeypatch.setattr(family, "decoder_tile", 128)
    rec_whole = codec.synthesise(whole_r.quantised, img.shape[1], img.shape[0])
    assert np.abs(rec.astype(int) - rec_whole.astype(int)).max() <= 1
    assert np.array_equal(codec.decode(tiled_r.data).rgb, tiled_r.picture.rgb)


def test_file_from_other_weights_gives_a_clear_error(codec, photo, tmp_path):
    torch.manual_seed(5)
    other = CompressiveAutoencoder(REGISTRY[codec.identity.name])
    save_weights(other, tmp_path / "other.safetensors")
    other_codec = api.Codec(load_weights(tmp_path / "other.safetensors"))
    data = other_codec.encode(photo, 50)
    with pytest.raises(NicFormatError, match="made with model"):
        codec.decode(data)
    assert other_codec.decode(data).rgb.shape == photo.shape


def test_analysis_exposes_bits_and_probabilities(codec, photo):
    r = codec.compress(codec.analyse(photo), 50)
    q = r.quantised
    assert q.bits.shape == q.z.shape
    assert q.position_bits.shape == (16, 24)
    assert q.channel_bits.shape == (codec.channels,)
    assert abs(q.total_bits / 8 - len(r.data)) < 0.02 * len(r.data) + 120  # header and flush words
    values, p = codec.distributions(q)[int(q.channel_bits.argmax())]
    assert p.sum() == pytest.approx(1.0, abs=1e-3)


def test_the_part_on_screen_is_decoded_first_and_the_result_does_not_depend_on_it(codec, photo, monkeypatch):
    monkeypatch.setattr(type(codec.model), "decoder_tile", 8)  # 3 x 2 tiles of 8 latents for 192 x 128
    a = codec.analyse(photo)
    plain = codec.compress(a, 60)
    seen: list[tuple[np.ndarray, tuple[int, int, int, int], int]] = []
    tiles: list[int] = []
    r = codec.compress(
        a, 60,
        progress=lambda stage, done, total: tiles.append(done) if stage == "decoding" else None,
        view=(70, 30, 125, 90), on_view=lambda rgb, rect: seen.append((rgb, rect, len(tiles))),
    )  # fmt: skip
    assert np.array_equal(r.picture.rgb, plain.picture.rgb) and r.data == plain.data
    assert len(seen) == 1
    rgb, rect, tiles_before = seen[0]
    assert tiles_before == 0 and tiles == [0, *range(1, 7)]  # before any regular tile
    s = codec.stride
    assert rect == (64, 24, 128, 96) and all(v % s == 0 for v in rect)  # widened to whole latents
    assert rgb.shape == (72, 64, 3) and rgb.dtype == np.uint8
    assert np.abs(rgb.astype(int) - plain.picture.rgb[24:96, 64:128].astype(int)).max() <= 1
