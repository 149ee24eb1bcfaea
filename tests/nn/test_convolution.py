"""The temporal convolutional network: causal convolutions written out, and
the receptive field it documents."""

import numpy as np
import pytest
import torch

from ica_sklearn.nn import TemporalConvNet
from ica_sklearn.nn._convolution import _causal_convolution


@pytest.mark.parametrize("kernel_size, dilation", [(3, 1), (3, 4), (2, 8)])
def test_causal_convolution_equals_the_sum_over_earlier_steps(kernel_size, dilation):
    torch.manual_seed(0)
    layer = _causal_convolution(3, 4, kernel_size, dilation).double()
    weight, bias = layer[1].weight, layer[1].bias  # (out, in, k), (out,)
    x = torch.randn(2, 3, 20, dtype=torch.float64)
    expected = torch.zeros(2, 4, 20, dtype=torch.float64)
    for t in range(20):
        expected[:, :, t] = bias
        for j in range(kernel_size):  # tap j looks (k - 1 - j) * d steps back
            source = t - (kernel_size - 1 - j) * dilation
            if source >= 0:
                expected[:, :, t] += x[:, :, source] @ weight[:, :, j].T
    np.testing.assert_allclose(
        layer(x).detach().numpy(), expected.detach().numpy(), rtol=0, atol=1e-13
    )


@pytest.mark.parametrize("num_stacks, kernel_size, levels", [(1, 3, 3), (2, 2, 2), (1, 3, 6)])
def test_outputs_see_exactly_the_receptive_field(num_stacks, kernel_size, levels):
    torch.manual_seed(1)
    tcn = TemporalConvNet(
        2, 5, num_stacks=num_stacks, kernel_size=kernel_size, levels=levels
    ).double()
    field = tcn.receptive_field
    assert field == 1 + 2 * (kernel_size - 1) * num_stacks * (2**levels - 1)
    n_steps = field + 5
    x = torch.randn(3, n_steps, 2, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(tcn(x)[:, -1].sum(), x)
    reach = gradient.abs().amax(dim=(0, 2))  # per input step
    first_seen = n_steps - field
    assert torch.equal(reach[:first_seen], torch.zeros(first_seen, dtype=torch.float64))
    assert (reach[first_seen:] > 0).all()


def test_default_tcn_covers_253_steps_and_keeps_shapes():
    tcn = TemporalConvNet(4, 6, num_stacks=1)
    assert tcn.receptive_field == 253 and len(tcn.blocks) == 6
    assert TemporalConvNet(4, 6, num_stacks=2).receptive_field == 505
    assert tcn(torch.randn(2, 1, 4)).shape == (2, 1, 6)  # a single step is fine
