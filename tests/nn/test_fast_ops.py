"""FastDropout: torch's dropout distribution, from a cheaper CPU mask."""

import numpy as np
import pytest
import torch
from torch import nn

from ica_sklearn.nn._fast_ops import FastDropout, scoring_tanh


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keeps_each_element_with_probability_one_minus_p_and_rescales(p):
    torch.manual_seed(0)
    n = 200_000
    out = FastDropout(p).train()(torch.ones(n, dtype=torch.float64))
    kept = out != 0
    # Binomial standard error sqrt(p (1 - p) / n) <= 0.0012; allow 5 of them.
    assert abs(float(kept.double().mean()) - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    # Scale = 1 / keep rate, with p rounded to 16 bits: E[out] = x exactly.
    keep_rate = 1 - round(p * 2**16) / 2**16
    np.testing.assert_allclose(out[kept].numpy(), 1 / keep_rate, rtol=1e-15)
    assert abs(keep_rate - (1 - p)) <= 2**-17


def test_masks_are_independent_across_calls_and_positions():
    torch.manual_seed(1)
    layer = FastDropout(0.5).train()
    first, second = (layer(torch.ones(100_000)) != 0 for _ in range(2))
    agreement = float((first == second).float().mean())
    assert abs(agreement - 0.5) < 0.01  # independent masks agree half the time
    neighbours = float((first[:-1] == first[1:]).float().mean())
    assert abs(neighbours - 0.5) < 0.01  # no correlation between adjacent elements


def test_torch_seed_fixes_the_mask_and_gradient_is_zero_where_dropped():
    layer = FastDropout(0.3).train()
    x = torch.randn(4, 50, 7, requires_grad=True)
    torch.manual_seed(3)
    out = layer(x)
    torch.manual_seed(3)
    assert torch.equal(out, layer(x))
    out.sum().backward()
    dropped = out == 0
    assert dropped.any() and torch.equal(x.grad[dropped], torch.zeros(int(dropped.sum())))
    np.testing.assert_allclose(x.grad[~dropped].numpy(), 1 / 0.7, rtol=1e-4)


def test_eval_mode_and_zero_rate_are_the_identity_and_one_drops_all():
    x = torch.randn(3, 5)
    assert torch.equal(FastDropout(0.5).eval()(x), x)
    assert torch.equal(FastDropout(0.0).train()(x), x)
    assert torch.equal(FastDropout(1.0).train()(x), torch.zeros_like(x))
    assert isinstance(FastDropout(0.1), nn.Dropout)


@pytest.mark.parametrize("dtype, tolerance", [(torch.float32, 3e-7), (torch.float64, 1e-15)])
def test_scoring_tanh_and_its_gradients_match_torch_tanh(dtype, tolerance):
    z = torch.linspace(-30, 30, 20001, dtype=dtype, requires_grad=True)
    fast, exact = scoring_tanh(z), torch.tanh(z)
    np.testing.assert_allclose(fast.detach().numpy(), exact.detach().numpy(), atol=tolerance)
    (gradient,) = torch.autograd.grad(fast.sum(), z, create_graph=True)
    (exact_gradient,) = torch.autograd.grad(exact.sum(), z, create_graph=True)
    np.testing.assert_allclose(gradient.detach().numpy(), exact_gradient.detach().numpy(),
                               atol=4 * tolerance)
    (second,) = torch.autograd.grad(gradient.sum(), z)  # twice differentiable
    (exact_second,) = torch.autograd.grad(exact_gradient.sum(), z)
    np.testing.assert_allclose(second.numpy(), exact_second.numpy(), atol=8 * tolerance)
