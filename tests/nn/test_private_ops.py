"""The private torch operators the fast paths use, pinned to the public ones."""

import pytest
import torch
from torch import nn

from ica_sklearn.nn._private_ops import fused_recurrence, tanh_backward

LAYERS = {
    "lstm": lambda **kw: nn.LSTM(4, 3, **kw),
    "gru": lambda **kw: nn.GRU(4, 3, **kw),
    "rnn_tanh": lambda **kw: nn.RNN(4, 3, **kw),
    "rnn_relu": lambda **kw: nn.RNN(4, 3, nonlinearity="relu", **kw),
}


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("num_layers, bias", [(1, True), (2, True), (1, False)])
def test_fused_recurrence_with_the_layers_own_weights_is_the_layer(
    kind, num_layers, bias, assert_same_values_and_gradients
):
    torch.manual_seed(0)
    layer = LAYERS[kind](num_layers=num_layers, bias=bias, batch_first=True).double()
    x = torch.randn(2, 7, 4, dtype=torch.float64, requires_grad=True)
    got = fused_recurrence(layer, x, list(layer._flat_weights))
    assert_same_values_and_gradients(got, layer(x)[0], [x, *layer.parameters()], atol=1e-14)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_tanh_backward_is_the_gradient_of_tanh(dtype):
    z = torch.linspace(-6, 6, 101, dtype=dtype, requires_grad=True)
    upstream = torch.randn(101, dtype=dtype)
    (expected,) = torch.autograd.grad(torch.tanh(z), z, upstream)
    torch.testing.assert_close(tanh_backward(upstream, torch.tanh(z).detach()), expected)
