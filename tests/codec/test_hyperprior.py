"""The mean-scale hyperprior family: transforms, training pass, tables, coding path, tiling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nicgui.codec.api import Codec
from nicgui.codec.bitstream import NicFile, NicFormatError, read_nic, write_nic
from nicgui.codec.models import MeanScaleConfig, MeanScaleHyperprior, create
from nicgui.codec.models.layers import GDN
from nicgui.codec.weights import load_weights, save_weights
from tests.conftest import synthetic_photo

TINY = MeanScaleConfig(name="mean-scale-tiny", hidden=16, latent=24, scale_hidden=8, scale_levels=32)


def _trained_a_little(steps: int = 30) -> MeanScaleHyperprior:
    """A tiny model after a few steps, so its hyper-latent is not all zeros."""
    torch.manual_seed(0)
    model = MeanScaleHyperprior(TINY)
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    x = torch.tensor(synthetic_photo(64, 64)).permute(2, 0, 1)[None].float().repeat(2, 1, 1, 1)
    for _ in range(steps):
        out = model(x, torch.tensor([1.0, 6.0]))
        loss = (0.01 * (out.x_hat - x).pow(2).flatten(1).mean(1) + out.bpp).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Codec:
    path = tmp_path_factory.mktemp("w") / "tiny.safetensors"
    save_weights(_trained_a_little(), path)
    return Codec(load_weights(path), "cpu")


def test_registered_sizes_follow_minnen():
    m = create("mean-scale")
    assert (m.cfg.hidden, m.cfg.latent) == (128, 192) and m.stride == 16
    y = m.analysis(torch.rand(1, 3, 64, 96) * 255)
    assert y.shape == (1, 192, 4, 6)
    assert m.synthesis(y).shape == (1, 3, 64, 96)
    assert create("mean-scale-l").cfg.latent == 320


def test_training_pass_reaches_every_part_of_the_model():
    model = _trained_a_little(5)
    model.train()
    x = torch.rand(2, 3, 64, 64) * 255
    out = model(x, torch.tensor([0.0, 7.0]))
    assert out.x_hat.shape == x.shape and out.bpp.shape == (2,) and torch.all(out.bpp > 0)
    (out.x_hat.pow(2).mean() * 1e-3 + out.bpp.mean()).backward()
    for name in ("g_a", "g_s", "h_a", "h_mean", "scale_net", "hyper_prior", "gains"):
        grads = [p.grad for p in getattr(model, name).parameters()]
        assert all(g is not None for g in grads) and sum(float(g.abs().sum()) for g in grads) > 0, name


def test_gains_and_therefore_rates_grow_with_quality(tiny, photo):
    gains = tiny.model._coding()[0]
    assert gains.shape == (100, TINY.latent) and np.all(np.diff(gains, axis=0) >= 0)
    a = tiny.analysis = tiny.analyse(photo)
    sizes = [len(tiny.write(a.picture, tiny.quantise(a, q))) for q in (1, 50, 100)]
    assert sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize("shape", [(1, 1), (17, 33), (70, 90), (130, 64)])
def test_any_size_round_trips_with_identical_symbols(tiny, shape):
    img = synthetic_photo(*shape, seed=3)
    a = tiny.analyse(img)
    for q in (5, 95):
        expected = tiny.quantise(a, q)
        data = tiny.write(a.picture, expected)
        d = tiny.decode_full(data)
        assert d.picture.rgb.shape == img.shape
        assert np.array_equal(d.quantised.z, expected.z)
        assert np.array_equal(d.quantised.side.hyper, expected.side.hyper)
        assert np.array_equal(d.quantised.side.scale_index, expected.side.scale_index)
        assert read_nic(data).header.family == "mean-scale"


def test_rgba_and_grey_keep_their_mode(tiny):
    img = synthetic_photo(40, 56)
    rgba = np.concatenate([img, np.full((40, 56, 1), 77, np.uint8)], 2)
    pic = tiny.decode(tiny.encode(rgba, 50))
    assert pic.mode == "RGBA" and np.all(pic.alpha == 77)


def test_estimated_bits_match_the_file(tiny, photo):
    r = tiny.compress(tiny.analyse(photo), 60)
    assert abs(r.quantised.total_bits / 8 - len(r.data)) < 0.03 * len(r.data) + 200  # header, markers, flushes


def test_calibration_accounts_for_every_bit_spent_on_the_latents(tiny, photo):
    q = tiny.quantise(tiny.analyse(photo), 50)
    cal = tiny.model.calibration(q)
    assert cal.bits == pytest.approx(float(q.channel_bits.sum()), rel=1e-5)
    assert sum(f.count for f in cal.rungs) == q.z.size and cal.bits_by_shift[0] == pytest.approx(cal.bits)


def test_distributions_are_normalised_and_cover_the_symbols(tiny, photo):
    q = tiny.quantise(tiny.analyse(photo), 50)
    dists = tiny.distributions(q)
    assert len(dists) == TINY.latent
    for c, (values, p) in enumerate(dists):
        assert p.sum() == pytest.approx(1.0, abs=1e-3)
        assert values.min() <= q.z[c].min() or q.z[c].min() < -values.max()


def test_tiled_coding_and_synthesis_match_whole_image(tiny, monkeypatch):
    img = synthetic_photo(300, 200, seed=2)
    whole = tiny.compress(tiny.analyse(img), 70)
    family = type(tiny.model)
    monkeypatch.setattr(family, "coding_tile", 16)
    monkeypatch.setattr(family, "decoder_tile", 4)
    tiled = tiny.compress(tiny.analyse(img), 70)
    assert read_nic(tiled.data).header.n_tiles == 2 * 1  # ceil(19 / 16) * ceil(13 / 16)
    assert np.array_equal(tiled.quantised.z, whole.quantised.z)
    assert np.abs(tiled.picture.rgb.astype(int) - whole.picture.rgb.astype(int)).max() <= 1
    assert np.array_equal(tiny.decode(tiled.data).rgb, tiled.picture.rgb)


def test_damaged_streams_are_caught(tiny, photo):
    data = tiny.encode(photo, 50)
    nic = read_nic(data)
    rng = np.random.default_rng(0)
    for stream in (0, 1):
        junk = [list(t) for t in nic.payloads]
        junk[0][stream] = rng.integers(0, 256, len(junk[0][stream]), dtype=np.uint8).tobytes()
        with pytest.raises(NicFormatError):
            tiny.decode(write_nic(NicFile(nic.header, junk, nic.icc, nic.alpha)))
    short = [[t[0], t[1][:4]] for t in nic.payloads]  # the latent stream cut to one word
    with pytest.raises(NicFormatError):
        tiny.decode(write_nic(NicFile(nic.header, short, nic.icc, nic.alpha)))


def test_weights_record_family_and_reload_identically(tiny, tmp_path):
    path = tmp_path / "again.safetensors"
    ident = save_weights(tiny.model, path)
    w = load_weights(path)
    assert w.model.family == "mean-scale" and w.model.cfg == TINY and w.identity == ident


@pytest.mark.parametrize("inverse", [False, True])
def test_the_fast_inference_path_of_gdn_gives_what_training_computes(inverse):
    torch.manual_seed(3)
    g = GDN(16, inverse=inverse)
    with torch.no_grad():
        g.gamma_root.add_(0.05 * torch.rand_like(g.gamma_root))
        g.beta_root.mul_(1 + 0.2 * torch.rand_like(g.beta_root))
    x = torch.randn(2, 16, 9, 13)
    trained = g(x)  # gradients on: the convolution path
    with torch.inference_mode():
        fast = g(x.contiguous(memory_format=torch.channels_last))
        plain = g(x)  # not channels last: the convolution path again
    assert torch.allclose(fast, trained, rtol=1e-5, atol=1e-6) and torch.equal(plain, trained.detach())
    assert fast.shape == x.shape and fast.is_contiguous(memory_format=torch.channels_last)
