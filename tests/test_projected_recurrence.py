"""Feeding torch's fused RNN kernels inputs already multiplied by W_ih."""

import pytest
import torch
from torch import nn

from ica_sklearn._projected_recurrence import (
    gate_first_pays,
    gate_size,
    recurrent_gate_inputs,
    run_on_gate_inputs,
)

LAYERS = {
    "lstm": lambda **kw: nn.LSTM(9, 3, **kw),
    "gru": lambda **kw: nn.GRU(9, 3, **kw),
    "rnn_tanh": lambda **kw: nn.RNN(9, 3, **kw),
    "rnn_relu": lambda **kw: nn.RNN(9, 3, nonlinearity="relu", **kw),
}


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("num_layers, bias", [(1, True), (2, True), (1, False)])
def test_outputs_and_gradients_equal_the_layer_on_raw_inputs(
    kind, num_layers, bias, assert_same_values_and_gradients
):
    torch.manual_seed(0)
    layer = LAYERS[kind](num_layers=num_layers, bias=bias, batch_first=True).double()
    x = torch.randn(4, 11, 9, dtype=torch.float64, requires_grad=True)
    expected = layer(x)[0]
    got = run_on_gate_inputs(layer, recurrent_gate_inputs(layer, x))
    assert_same_values_and_gradients(got, expected, [x, *layer.parameters()], atol=1e-13)


def test_gate_first_only_when_fewer_gates_than_features_one_direction():
    x = torch.zeros(2, 5, 9)
    assert gate_size(nn.LSTM(9, 2)) == 8 and gate_first_pays(nn.LSTM(9, 2), x)
    assert not gate_first_pays(nn.LSTM(9, 3), x)  # 12 gate inputs > 9 features
    assert gate_first_pays(nn.GRU(9, 2), x) and gate_first_pays(nn.RNN(9, 8), x)
    assert not gate_first_pays(nn.LSTM(9, 2, bidirectional=True), x)
