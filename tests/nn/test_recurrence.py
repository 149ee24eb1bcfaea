"""The recurrent forward pass: its routes agree with the layer, and the
right route is taken."""

import pytest
import torch
from torch import nn

from ica_sklearn.nn._recurrence import recurrent_forward, run_on_gate_inputs

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
    got = run_on_gate_inputs(layer, nn.functional.linear(x, layer.weight_ih_l0))
    assert_same_values_and_gradients(got, expected, [x, *layer.parameters()], atol=1e-13)


@pytest.mark.parametrize(
    "layer, n_features, attention, dtype, route",
    [
        (nn.LSTM(9, 2), 9, True, torch.float32, "gate_inputs"),  # 8 gate inputs < 9 features
        (nn.LSTM(9, 3), 9, True, torch.float32, "layer"),  # 12 gate inputs > 9 features
        (nn.GRU(9, 2), 9, True, torch.float32, "gate_inputs"),
        (nn.RNN(9, 8), 9, True, torch.float32, "gate_inputs"),
        (nn.LSTM(9, 2, bidirectional=True), 9, True, torch.float32, "layer"),
        (nn.LSTM(9, 2), 9, False, torch.float32, "layer"),
        (nn.LSTM(4, 2), 4, False, torch.float64, "float64_lstm"),
        (nn.LSTM(4, 3), 4, True, torch.float64, "float64_lstm"),
        (nn.LSTM(9, 2), 9, True, torch.float64, "float64_lstm"),
        (nn.LSTM(4, 2, num_layers=2), 4, False, torch.float64, "layer"),
        (nn.LSTM(4, 2, bidirectional=True), 4, False, torch.float64, "layer"),
        (nn.GRU(4, 2), 4, False, torch.float64, "layer"),
    ],
)
def test_the_route_each_layer_takes(layer, n_features, attention, dtype, route, monkeypatch):
    """One function picks the route: gate inputs first (attention, one direction,
    fewer gates than features), the float64 LSTM, or the layer itself."""
    from ica_sklearn.nn import InputCellAttention, _recurrence

    taken = []
    for name, label in (("lstm_on_gate_inputs", "float64_lstm"), ("fused_recurrence", "gate_inputs")):
        original = getattr(_recurrence, name)
        monkeypatch.setattr(
            _recurrence, name,
            lambda *args, _original=original, _label=label: taken.append(_label) or _original(*args),
        )
    layer = layer.to(dtype).train(False)
    layer.batch_first = True
    x = torch.randn(2, 5, n_features, dtype=dtype)
    ica = InputCellAttention(n_features, 4, 3).to(dtype) if attention else None
    expected = layer(ica(x) if attention else x)[0]
    got = recurrent_forward(layer, x, ica)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    assert (taken[-1] if taken else "layer") == route
