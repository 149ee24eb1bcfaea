"""The hand-written float64 LSTM recurrence against torch's nn.LSTM."""

import numpy as np
import pytest
import torch
from torch import nn

from ica_sklearn.nn._float64_lstm import lstm_on_gate_inputs
from ica_sklearn.nn import RecurrentClassifierModule


@pytest.mark.parametrize("n_steps", [1, 2, 13])
@pytest.mark.parametrize("bias", [True, False])
def test_outputs_and_all_gradients_equal_nn_lstm(
    n_steps, bias, assert_same_values_and_gradients
):
    torch.manual_seed(n_steps)
    lstm = nn.LSTM(7, 4, bias=bias, batch_first=True).double()
    with torch.no_grad():  # large weights: saturated and linear gate regions both occur
        for parameter in lstm.parameters():
            parameter.uniform_(-1.5, 1.5)
    x = torch.randn(5, n_steps, 7, dtype=torch.float64, requires_grad=True)
    expected = lstm(x)[0]
    got = lstm_on_gate_inputs(lstm, x @ lstm.weight_ih_l0.T)
    assert_same_values_and_gradients(got, expected, [x, *lstm.parameters()], atol=1e-14)


def test_gradcheck_of_the_recurrence():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 2, batch_first=True).double()
    gate_inputs = torch.randn(2, 6, 8, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda g: lstm_on_gate_inputs(lstm, g), (gate_inputs,))


def test_plain_lstm_module_in_float64_matches_nn_lstm_in_training_mode():
    torch.manual_seed(1)
    module = RecurrentClassifierModule(6, 3, cell="lstm", dropout=0.0, dtype=torch.float64)
    x = torch.randn(4, 9, 6, dtype=torch.float64)
    expected = module.head(module.recurrent(x)[0][:, -1])
    np.testing.assert_allclose(module(x).detach().numpy(), expected.detach().numpy(), atol=1e-14)
