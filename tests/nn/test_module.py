"""The fast modules against a plain per-time-step loop of the paper's equations."""

import numpy as np
import pytest
import torch

from ica_sklearn.nn import (
    CELL_TYPES,
    CELLS,
    InputCellAttention,
    RecurrentClassifierModule,
    causal_attention_matrix,
    causal_attention_summary,
)

N_HOPS, ATTENTION_DIM, HIDDEN = 4, 6, 5


# ----------------------------------------------------------- reference loop
def loop_attention_summary(x, W1, b1, W2, b2):
    """M_t for one sequence x (T, F), step by step, softmax over s <= t."""
    steps = []
    for t in range(x.shape[0]):
        prefix = x[: t + 1]
        scores = torch.tanh(prefix @ W1.T + b1) @ W2.T + b2  # (t+1, r)
        weights = torch.softmax(scores, dim=0)  # over s <= t, per hop
        steps.append((weights.T @ prefix).mean(dim=0))  # average of r summaries
    return torch.stack(steps)


def loop_recurrence(inputs, layer, cell):
    """Outputs of a one-layer LSTM/GRU/RNN on (T, F), written out per step."""
    W_ih, W_hh = layer.weight_ih_l0, layer.weight_hh_l0
    b_ih, b_hh = layer.bias_ih_l0, layer.bias_hh_l0
    h = inputs.new_zeros(layer.hidden_size)
    c = inputs.new_zeros(layer.hidden_size)
    outputs = []
    for x_t in inputs:
        gates_x, gates_h = W_ih @ x_t + b_ih, W_hh @ h + b_hh
        if cell == "lstm":
            i, f, g, o = (gates_x + gates_h).chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        elif cell == "gru":
            rx, zx, nx = gates_x.chunk(3)
            rh, zh, nh = gates_h.chunk(3)
            r, z = torch.sigmoid(rx + rh), torch.sigmoid(zx + zh)
            n = torch.tanh(nx + r * nh)
            h = (1 - z) * n + z * h
        else:
            h = torch.tanh(gates_x + gates_h)
        outputs.append(h)
    return torch.stack(outputs)


def make_module(cell, n_features=3, n_classes=2, **kwargs):
    torch.manual_seed(0)
    module = RecurrentClassifierModule(
        n_features,
        n_classes,
        cell=cell,
        hidden_size=HIDDEN,
        attention_hops=N_HOPS,
        attention_dim=ATTENTION_DIM,
        dtype=torch.float64,
        **kwargs,
    ).eval()
    with torch.no_grad():  # non-zero biases everywhere, so none can be dropped
        for name, parameter in module.named_parameters():
            if "bias" in name:
                parameter.uniform_(-0.5, 0.5)
    return module


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize(
    "n_features, ragged",
    # 3 features: the attention averages the inputs; 25 features (more than
    # the 4 * 5 gate inputs of the LSTM): the gate inputs, unless padded.
    [(3, True), (25, False), (25, True)],
)
def test_ica_module_equals_per_step_loop(cell, n_features, ragged):
    module = make_module(f"ica_{cell}", n_features=n_features)
    attention = module.input_attention
    X = torch.randn(4, 9, n_features, dtype=torch.float64)
    lengths = torch.tensor([9, 5, 1, 7] if ragged else [9, 9, 9, 9])
    expected = []
    for x, length in zip(X, lengths):
        x = x[:length]
        summaries = loop_attention_summary(
            x,
            attention.score_hidden.weight,
            attention.score_hidden.bias,
            attention.score_output.weight,
            attention.score_output.bias,
        )
        hidden = loop_recurrence(summaries, module.recurrent, cell)[-1]
        expected.append(module.head(hidden))
    expected = torch.stack(expected)
    expected_gradients = torch.autograd.grad(expected.square().sum(), module.parameters())
    logits = module(X, lengths)
    gradients = torch.autograd.grad(logits.square().sum(), module.parameters())
    np.testing.assert_allclose(
        logits.detach().numpy(), expected.detach().numpy(), rtol=0, atol=1e-10
    )
    for name, gradient, expected_gradient in zip(
        dict(module.named_parameters()), gradients, expected_gradients
    ):
        np.testing.assert_allclose(
            gradient.numpy(), expected_gradient.numpy(), rtol=0, atol=1e-10, err_msg=name
        )


def test_attention_summary_equals_loop_for_wide_score_ranges():
    torch.manual_seed(1)
    layer = InputCellAttention(3, ATTENTION_DIM, N_HOPS).double()
    with torch.no_grad():
        layer.score_output.weight.mul_(60.0)  # score ranges of several hundred
    x = torch.randn(2, 12, 3, dtype=torch.float64)
    with torch.no_grad():
        fast = layer(x)
        loop = torch.stack(
            [
                loop_attention_summary(
                    sample,
                    layer.score_hidden.weight,
                    layer.score_hidden.bias,
                    layer.score_output.weight,
                    layer.score_output.bias,
                )
                for sample in x
            ]
        )
    np.testing.assert_allclose(fast.numpy(), loop.numpy(), rtol=0, atol=1e-10)


def exact_attention(scores):
    """Row-by-row softmax of (T, r) scores over the prefix, averaged over hops."""
    n_steps = scores.shape[0]
    rows = []
    for t in range(n_steps):
        weights = torch.softmax(scores[: t + 1].double(), dim=0).mean(dim=1)
        rows.append(torch.cat([weights, weights.new_zeros(n_steps - t - 1)]))
    return torch.stack(rows)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", [1.0, 50.0, 400.0, 1e4])
def test_attention_matrix_is_exact_and_finite_for_any_score_range(dtype, scale):
    torch.manual_seed(2)
    scores = (torch.rand(3, 15, 4, dtype=torch.float64) * 2 - 1) * scale
    scores[:, 0] = -scale  # the first step far below the maximum: worst case
    scores = scores.to(dtype).requires_grad_(True)
    attention = causal_attention_matrix(scores)
    assert attention.dtype == dtype
    assert torch.isfinite(attention).all()
    expected = torch.stack([exact_attention(sample.detach()) for sample in scores])
    tolerance = 1e-5 if dtype == torch.float32 else 1e-12
    np.testing.assert_allclose(
        attention.detach().double().numpy(), expected.numpy(), atol=tolerance
    )
    attention.sum().backward()
    assert torch.isfinite(scores.grad).all()


@pytest.mark.parametrize("n_steps", [1, 5, 17, 33, 34, 40, 67])
@pytest.mark.parametrize("inputs_need_gradient", [True, False])
def test_blockwise_summary_and_its_backward_equal_the_dense_product(
    n_steps, inputs_need_gradient
):
    # The hand-written backward of the row-blocked triangular products,
    # against autograd through a dense tril(Q P^T) @ X; blocks of 17 and 20 rows at 34 and 40 steps
    torch.manual_seed(n_steps)
    X = torch.randn(3, n_steps, 5, dtype=torch.float64, requires_grad=inputs_need_gradient)
    scores = torch.randn(3, n_steps, 4, dtype=torch.float64, requires_grad=True)
    summary = causal_attention_summary(X, scores)
    dense = causal_attention_matrix(scores) @ X
    upstream = torch.randn_like(summary)
    wrt = (scores, X) if inputs_need_gradient else (scores,)
    for fast, slow in zip(
        torch.autograd.grad(summary, wrt, upstream), torch.autograd.grad(dense, wrt, upstream)
    ):
        np.testing.assert_allclose(fast.numpy(), slow.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(summary.detach().numpy(), dense.detach().numpy(), atol=1e-13)
    if n_steps <= 40:
        assert torch.autograd.gradcheck(causal_attention_summary, (X, scores))


def test_attention_rows_sum_to_one_and_never_look_ahead():
    scores = torch.randn(2, 10, 3)
    attention = causal_attention_matrix(scores)
    np.testing.assert_allclose(attention.sum(dim=2).numpy(), 1.0, rtol=1e-6)
    assert torch.equal(torch.triu(attention, diagonal=1), torch.zeros_like(attention))


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_causality_outputs_up_to_t_ignore_later_inputs(cell):
    # Causal cells: exactly (to rounding) the same outputs up to step 5;
    # the others (the table's non-causal rows) do see the later steps.
    module = make_module(cell)
    X = torch.randn(2, 10, 3, dtype=torch.float64)
    changed = X.clone()
    changed[:, 6:] = torch.randn(2, 4, 3, dtype=torch.float64) * 10
    lengths = torch.full((2,), 10)
    with torch.no_grad():
        before = module.recurrent_outputs(X, lengths)[:, :6]
        after = module.recurrent_outputs(changed, lengths)[:, :6]
    if not CELLS[cell].causal:
        assert (before - after).abs().amax(dim=2).amin() > 1e-6  # every early step
        return
    np.testing.assert_allclose(before.numpy(), after.numpy(), rtol=0, atol=1e-12)
    if module.input_attention is not None:
        summary = causal_attention_summary(X, module.input_attention.scores(X))
        summary_changed = causal_attention_summary(
            changed, module.input_attention.scores(changed)
        )
        np.testing.assert_allclose(
            summary[:, :6].detach().numpy(),
            summary_changed[:, :6].detach().numpy(),
            atol=1e-12,
        )


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_padded_steps_never_change_logits(cell, pooling):
    module = make_module(cell, pooling=pooling)
    short = torch.randn(1, 4, 3, dtype=torch.float64)
    padded = torch.cat([short, 1e3 * torch.randn(1, 5, 3, dtype=torch.float64)], dim=1)
    with torch.no_grad():
        alone = module(short, torch.tensor([4]))
        inside_batch = module(
            torch.cat([padded, torch.randn(1, 9, 3, dtype=torch.float64)]),
            torch.tensor([4, 9]),
        )[:1]
    np.testing.assert_allclose(alone.numpy(), inside_batch.numpy(), atol=1e-10)


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("n_features", [3, 25])  # 25: the gate-first path of ica cells
def test_padded_batches_equal_packed_sequences_and_zero_the_padding(cell, n_features):
    # One-direction layers run padded batches unpacked (they are causal);
    # this is the packed computation torch would do, sequence by sequence.
    module = make_module(cell, n_features=n_features)
    X = torch.randn(3, 9, n_features, dtype=torch.float64)
    lengths = torch.tensor([9, 4, 6])
    outputs = module.recurrent_outputs(X, lengths)
    for sample, length in enumerate(lengths):
        alone = module.recurrent_outputs(X[sample : sample + 1, :length], length[None])
        np.testing.assert_allclose(
            outputs[sample, :length].detach().numpy(), alone[0].detach().numpy(), atol=1e-12
        )
        assert torch.equal(outputs[sample, length:], torch.zeros_like(outputs[sample, length:]))


def test_paper_defaults_and_xavier_initialisation():
    torch.manual_seed(0)
    module = RecurrentClassifierModule(100, 2)
    assert module.cell == "ica_lstm"
    assert module.recurrent.hidden_size == 5 and module.recurrent.num_layers == 1
    assert module.input_attention.score_output.out_features == 20
    assert module.input_attention.score_hidden.out_features == 50
    assert module.input_dropout.p == 0.1 and module.output_dropout.p == 0.1
    assert torch.count_nonzero(module.input_attention.score_hidden.bias) == 0
    bound = np.sqrt(6 / (100 + 50))
    assert module.input_attention.score_hidden.weight.abs().max() <= bound


def test_self_attention_masks_padding_and_bilstm_doubles_width():
    assert make_module("bilstm").head.in_features == 2 * HIDDEN
    assert make_module("lstm_self_attention").head.in_features == N_HOPS * HIDDEN


def test_unknown_cell_and_pooling_are_rejected():
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentClassifierModule(3, 2, cell="transformer_xl")
    with pytest.raises(ValueError, match="pooling must be one of"):
        RecurrentClassifierModule(3, 2, pooling="median")
