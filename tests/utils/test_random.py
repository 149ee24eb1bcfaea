"""Seeded draws from private generators: they reproduce what the global
generator gave after ``torch.manual_seed``, never use it, and stay in their
thread."""

import threading

import numpy as np
import pytest
import torch

from ica_sklearn.nn import CELL_TYPES, RecurrentClassifierModule
from ica_sklearn.nn._fast_ops import FastDropout, _seeded_device_dropout
from ica_sklearn.utils._random import (
    active_generator,
    private_generator,
    redirected_draws,
    seeded_generator,
    seeded_global_state,
)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("cell", CELL_TYPES)
def test_redirected_construction_draws_what_the_seeded_global_generator_drew(cell, dtype):
    torch.manual_seed(11)
    expected = RecurrentClassifierModule(5, 3, cell=cell, num_layers=2, dtype=dtype)
    expected_next = torch.rand(4)

    torch.manual_seed(99)
    global_state = torch.get_rng_state()
    generator = seeded_generator(11)
    with redirected_draws(generator):
        module = RecurrentClassifierModule(5, 3, cell=cell, num_layers=2, dtype=dtype)
    assert torch.equal(torch.get_rng_state(), global_state)  # the global generator is unused
    for (name, got), want in zip(module.state_dict().items(), expected.state_dict().values()):
        assert torch.equal(got, want), name
    # The generator was advanced exactly as the global one was.
    assert torch.equal(torch.rand(4, generator=generator), expected_next)


def test_redirection_and_the_active_generator_stay_in_their_thread():
    seen = {}

    def other_thread():
        torch.manual_seed(1)
        seen["draw"] = torch.rand(3)
        seen["active"] = active_generator()

    with private_generator(seeded_generator(0)), redirected_draws(seeded_generator(2)):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert active_generator() is not None
    torch.manual_seed(1)
    assert torch.equal(seen["draw"], torch.rand(3))
    assert seen["active"] is None


def test_private_generator_blocks_nest_and_restore():
    outer, inner = seeded_generator(0), seeded_generator(1)
    with private_generator(outer):
        with private_generator(inner):
            assert active_generator() is inner
        assert active_generator() is outer
    assert active_generator() is None


def test_seeded_global_state_restores_the_global_generators():
    torch.manual_seed(3)
    np.random.seed(3)
    with seeded_global_state(5, numpy_too=True):
        inside = torch.rand(2), np.random.rand(2)
    after = torch.rand(2), np.random.rand(2)
    torch.manual_seed(3)
    np.random.seed(3)
    assert torch.equal(after[0], torch.rand(2)) and np.array_equal(after[1], np.random.rand(2))
    torch.manual_seed(5)
    np.random.seed(5)
    assert torch.equal(inside[0], torch.rand(2)) and np.array_equal(inside[1], np.random.rand(2))


def test_dropout_masks_from_the_active_generator_equal_the_seeded_global_ones():
    layer = FastDropout(0.3).train()
    x = torch.ones(50, 40)
    torch.manual_seed(4)
    expected = [layer(x), layer(x)]
    torch.manual_seed(99)
    global_state = torch.get_rng_state()
    with private_generator(seeded_generator(4)):
        got = [layer(x), layer(x)]
    assert all(torch.equal(a, b) for a, b in zip(got, expected))
    assert torch.equal(torch.get_rng_state(), global_state)


def test_device_dropout_is_seeded_by_the_generator_and_keeps_the_expectation():
    """The path taken on GPUs inside a seeded fit (run here on CPU tensors)."""
    x = torch.ones(200_000, dtype=torch.float64)
    first = _seeded_device_dropout(x, 0.25, seeded_generator(0))
    assert torch.equal(first, _seeded_device_dropout(x, 0.25, seeded_generator(0)))
    assert not torch.equal(first, _seeded_device_dropout(x, 0.25, seeded_generator(1)))
    assert set(first.unique().tolist()) == {0.0, 1 / 0.75}
    assert abs(float(first.mean()) - 1.0) < 0.01
    assert torch.equal(_seeded_device_dropout(x, 1.0, seeded_generator(0)), torch.zeros_like(x))
