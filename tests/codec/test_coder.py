"""Entropy coding: exact round trips for any int32 latent, and sizes close to the model's estimate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nicgui.codec.coder import CodingError, LatentCoder, channel_probabilities, estimate_bits


def test_round_trip_with_far_tail_values(codec):
    coder = LatentCoder(codec.model.tables, 40)
    rng = np.random.default_rng(0)
    z = rng.integers(-3, 4, (codec.channels, 5, 7)).astype(np.int32)
    z[0, 0, 0] = 2**31 - 1
    z[1, 2, 3] = -(2**31)
    z[2, 4, 6] = 5000
    z[-1, 1, 1] = -77
    data = coder.encode(z)
    assert np.array_equal(coder.decode(data, (5, 7)), z)


@settings(max_examples=40, deadline=None)
@given(
    quality=st.integers(1, 100),
    z=arrays(np.int32, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.integers(-(2**31), 2**31 - 1)),
)
def test_any_values_survive(codec, quality, z):
    coder = LatentCoder(codec.model.tables, quality)
    full = np.broadcast_to(z, (codec.channels, *z.shape)).copy()
    full[::2] //= 7
    assert np.array_equal(coder.decode(coder.encode(full), z.shape), full)


@pytest.mark.parametrize("quality", [1, 30, 75, 100])
def test_coded_size_within_one_percent_of_estimate(codec, photo, quality):
    analysis = codec.analyse(photo)
    q = codec.quantise(analysis, quality)
    data = LatentCoder(codec.model.tables, quality).encode(q.z)
    estimate = estimate_bits(q.z, codec.model.tables, quality).sum() / 8
    assert abs(len(data) - estimate) <= 0.01 * estimate + 8  # + at most two 32-bit words of flush


def test_truncated_payload_is_detected(codec):
    coder = LatentCoder(codec.model.tables, 60)
    z = np.random.default_rng(2).integers(-4, 5, (codec.channels, 8, 8)).astype(np.int32)
    data = coder.encode(z)
    with pytest.raises(CodingError):
        coder.decode(data[:-4], (8, 8))
    with pytest.raises(CodingError):
        coder.decode(data[:-1], (8, 8))


def test_probabilities_are_a_distribution(codec):
    values, p = channel_probabilities(codec.model.tables, 50, 0)
    assert len(values) == len(p) and values[0] == -values[-1]
    assert 0.99 < p.sum() <= 1.0
    assert p.argmax() == len(p) // 2  # the prior is centred on zero
