"""Torch modules: input-cell attention, recurrent backbones and the classifier.

The estimator in :mod:`ica_sklearn.estimators` builds a
:class:`RecurrentClassifierModule` and trains it through skorch; the modules
are plain :class:`torch.nn.Module` objects and can be used on their own.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._activations import scoring_tanh
from ._attention import causal_attention_summary
from ._dropout import FastDropout
from ._float64_lstm import float64_lstm_applies
from ._projected_recurrence import gate_first_pays, recurrent_gate_inputs, run_on_gate_inputs

__all__ = [
    "CELL_TYPES",
    "POOLINGS",
    "InputCellAttention",
    "StructuredSelfAttention",
    "RecurrentClassifierModule",
]

#: Recurrent layer and whether it runs in both directions, per cell name.
_RECURRENT_LAYERS = {
    "lstm": (nn.LSTM, False),
    "gru": (nn.GRU, False),
    "rnn": (nn.RNN, False),
    "bilstm": (nn.LSTM, True),
    "lstm_self_attention": (nn.LSTM, False),
    "ica_lstm": (nn.LSTM, False),
    "ica_gru": (nn.GRU, False),
    "ica_rnn": (nn.RNN, False),
}
#: Names accepted by ``cell``.
CELL_TYPES = tuple(_RECURRENT_LAYERS)
#: Names accepted by ``pooling``.
POOLINGS = ("last", "mean", "max")


def _xavier_linear(in_features, out_features):
    """A linear layer with Xavier-uniform weights and zero bias (the paper)."""
    layer = nn.Linear(in_features, out_features)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class InputCellAttention(nn.Module):
    """Input-cell attention of Ismail et al. (2019), for all steps at once.

    At step ``t`` the recurrent cell receives, instead of ``x_t``, the summary
    ``M_t = (1/r) sum_h sum_{s<=t} a[t, s, h] x_s`` where ``a[t, :, h]`` is a
    softmax over the past and present of the scores
    ``S_s = W2 tanh(W1 x_s + b1) + b2``.  The summaries depend on the inputs
    only, so they are computed before the recurrence in one batched matrix
    product (see :mod:`ica_sklearn._attention`).

    Parameters
    ----------
    n_features : int
        Size ``F`` of each input vector.
    attention_dim : int, default=50
        Size ``d_a`` of the hidden layer of the scoring network.
    n_hops : int, default=20
        Number ``r`` of attention distributions averaged at each step.

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import InputCellAttention
    >>> layer = InputCellAttention(n_features=3, attention_dim=4, n_hops=2)
    >>> layer(torch.randn(8, 10, 3)).shape
    torch.Size([8, 10, 3])
    """

    def __init__(self, n_features, attention_dim=50, n_hops=20):
        super().__init__()
        self.score_hidden = _xavier_linear(n_features, attention_dim)  # W1, b1
        self.score_output = _xavier_linear(attention_dim, n_hops)  # W2, b2

    def scores(self, inputs):
        """Scores ``S`` of shape (batch, n_timesteps, n_hops)."""
        return self.score_output(scoring_tanh(self.score_hidden(inputs)))

    def forward(self, inputs, value_weight=None):
        """Summaries ``M`` of shape (batch, n_timesteps, n_features).

        With ``value_weight`` (k, n_features) the layer returns
        ``M @ value_weight.T`` of shape (batch, n_timesteps, k) instead,
        averaging the mapped inputs (the same linear map of ``M``, cheaper
        for k < n_features); both maps of the inputs then share one matrix
        product.
        """
        if value_weight is None:
            return causal_attention_summary(inputs, self.scores(inputs))
        hidden_weight, hidden_bias = self.score_hidden.weight, self.score_hidden.bias
        both = nn.functional.linear(
            inputs,
            torch.cat([hidden_weight, value_weight]),
            torch.cat([hidden_bias, hidden_bias.new_zeros(len(value_weight))]),
        )
        hidden, values = both.split([len(hidden_weight), len(value_weight)], dim=-1)
        return causal_attention_summary(values, self.score_output(scoring_tanh(hidden)))


class StructuredSelfAttention(nn.Module):
    """Structured self-attention pooling over hidden states (Lin et al., 2017).

    ``A = softmax(W2 tanh(W1 H^T))`` over the valid time steps, with ``r``
    hops; the pooled representation is ``A H`` flattened to
    ``n_hops * hidden_size`` values.  The paper's "LSTM + self-attention"
    baseline.

    Parameters
    ----------
    hidden_size : int
        Size of each hidden state.
    attention_dim : int, default=50
    n_hops : int, default=20

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import StructuredSelfAttention
    >>> pool = StructuredSelfAttention(hidden_size=5, attention_dim=4, n_hops=3)
    >>> valid = torch.ones(2, 7, dtype=torch.bool)
    >>> pool(torch.randn(2, 7, 5), valid).shape
    torch.Size([2, 15])
    """

    def __init__(self, hidden_size, attention_dim=50, n_hops=20):
        super().__init__()
        self.score_hidden = _xavier_linear(hidden_size, attention_dim)
        self.score_output = _xavier_linear(attention_dim, n_hops)

    def forward(self, hidden, valid):
        scores = self.score_output(scoring_tanh(self.score_hidden(hidden)))
        scores = scores.masked_fill(~valid[:, :, None], float("-inf"))
        weights = torch.softmax(scores, dim=1)  # (B, T, r), over time
        pooled = torch.bmm(weights.transpose(1, 2), hidden)  # (B, r, H)
        return pooled.flatten(start_dim=1)


def _pool_over_time(outputs, lengths, valid, pooling):
    """Reduce (B, T, H) recurrent outputs to (B, H) over the valid steps."""
    if pooling == "last":
        last_index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, outputs.shape[2])
        return outputs.gather(1, last_index).squeeze(1)
    if pooling == "mean":
        total = outputs.masked_fill(~valid[:, :, None], 0.0).sum(dim=1)
        return total / lengths.to(outputs.dtype)[:, None]
    if pooling == "max":
        return outputs.masked_fill(~valid[:, :, None], float("-inf")).amax(dim=1)
    raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")


class RecurrentClassifierModule(nn.Module):
    """Recurrent classifier with a selectable cell; returns logits.

    Layers: dropout on the inputs, optional input-cell attention, the
    recurrent layer (torch's fused ``nn.LSTM``/``nn.GRU``/``nn.RNN``), dropout
    on its output, pooling over the valid time steps, a linear head.  As in
    the paper's code the input dropout acts on the raw inputs, so the
    attention scores see the same dropped-out sequence as the summaries.

    With input-cell attention on the CPU, when the recurrent layer has fewer
    gate inputs than features (``4 * hidden_size < n_features`` for an
    LSTM), the layer's input weights are applied before the attention
    average rather than after (the same linear maps in the other order; see
    :mod:`ica_sklearn._projected_recurrence`), which makes the attention
    products several times cheaper.

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_classes : int
        Number of output logits.
    cell : str, default="ica_lstm"
        One of :data:`CELL_TYPES`.  ``"ica_*"`` put :class:`InputCellAttention`
        before the recurrent layer; ``"lstm_self_attention"`` pools the LSTM's
        hidden states with :class:`StructuredSelfAttention` (``pooling`` is
        then unused); ``"bilstm"`` runs an LSTM in both directions.
    hidden_size : int, default=5
    num_layers : int, default=1
    attention_hops : int, default=20
    attention_dim : int, default=50
    dropout : float, default=0.1
        Dropout on the inputs, on the recurrent layer's output and between
        stacked layers.
    pooling : {"last", "mean", "max"}, default="last"
        "last" reads the output at each sequence's last valid step (the
        paper; for ``"bilstm"`` the backward half there has seen only that
        step), "mean"/"max" pool over all valid steps.
    dtype : torch.dtype, default=torch.float32

    Examples
    --------
    >>> import torch
    >>> from ica_sklearn.nn import RecurrentClassifierModule
    >>> module = RecurrentClassifierModule(n_features=4, n_classes=3, cell="ica_gru")
    >>> module(torch.randn(2, 6, 4), torch.tensor([6, 3])).shape
    torch.Size([2, 3])
    """

    def __init__(
        self,
        n_features,
        n_classes,
        cell="ica_lstm",
        hidden_size=5,
        num_layers=1,
        attention_hops=20,
        attention_dim=50,
        dropout=0.1,
        pooling="last",
        dtype=torch.float32,
    ):
        super().__init__()
        if cell not in _RECURRENT_LAYERS:
            raise ValueError(f"cell must be one of {CELL_TYPES}, got {cell!r}.")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        self.cell = cell
        self.pooling = pooling
        layer_type, bidirectional = _RECURRENT_LAYERS[cell]
        self.input_attention = (
            InputCellAttention(n_features, attention_dim, attention_hops)
            if cell.startswith("ica_")
            else None
        )
        self.input_dropout = FastDropout(dropout)
        self.recurrent = layer_type(
            input_size=n_features,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        self.output_dropout = FastDropout(dropout)
        output_size = hidden_size * (2 if bidirectional else 1)
        if cell == "lstm_self_attention":
            self.self_attention = StructuredSelfAttention(
                output_size, attention_dim, attention_hops
            )
            output_size *= attention_hops
        else:
            self.self_attention = None
        self.head = _xavier_linear(output_size, n_classes)
        self.to(dtype)

    def recurrent_outputs(self, inputs, lengths):
        """Outputs (B, T, H) of the recurrent layer; padded steps are zero.

        Only a bidirectional layer needs packed sequences (its backward pass
        must start at each sequence's last valid step).  Every other layer is
        causal, attention included: its outputs at valid steps never see the
        end padding, so padded batches run like unpadded ones (fused kernels,
        no packing) and the padded steps are zeroed afterwards.
        """
        n_steps = inputs.shape[1]
        # Dropout on the raw inputs, before any attention, as the paper's code.
        inputs = self.input_dropout(inputs)
        valid = torch.arange(n_steps, device=inputs.device)[None, :] < lengths[:, None]
        padded = not bool(valid.all())
        if padded and self.recurrent.bidirectional:
            packed = pack_padded_sequence(
                inputs, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            outputs, _ = self.recurrent(packed)
            outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=n_steps)
            return outputs
        outputs = self._causal_outputs(inputs)
        return outputs.masked_fill(~valid[:, :, None], 0.0) if padded else outputs

    def _causal_outputs(self, inputs):
        """Outputs of the (one-direction, or unpadded) recurrent layer, by the
        fastest exact route: gate inputs first (:mod:`._projected_recurrence`),
        the float64 LSTM (:mod:`._float64_lstm`), or the layer itself."""
        if self.input_attention is not None:
            if gate_first_pays(self.recurrent, inputs):
                gate_inputs = self.input_attention(
                    inputs, value_weight=self.recurrent.weight_ih_l0
                )
                return run_on_gate_inputs(self.recurrent, gate_inputs)
            inputs = self.input_attention(inputs)
        if float64_lstm_applies(self.recurrent, inputs):
            return run_on_gate_inputs(
                self.recurrent, recurrent_gate_inputs(self.recurrent, inputs)
            )
        outputs, _ = self.recurrent(inputs)
        return outputs

    def forward(self, X, lengths=None):
        """Logits of shape (batch, n_classes).

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_timesteps, n_features)
            Padded steps (beyond ``lengths``) may hold any finite value; they
            never influence the logits.
        lengths : torch.Tensor of shape (batch,), optional
            Valid steps per sequence; all ``n_timesteps`` when omitted.
        """
        if lengths is None:
            lengths = torch.full((X.shape[0],), X.shape[1], dtype=torch.long)
        lengths = lengths.to(device=X.device, dtype=torch.long)
        valid = torch.arange(X.shape[1], device=X.device)[None, :] < lengths[:, None]
        outputs = self.output_dropout(self.recurrent_outputs(X, lengths))
        if self.self_attention is not None:
            features = self.self_attention(outputs, valid)
        else:
            features = _pool_over_time(outputs, lengths, valid, self.pooling)
        return self.head(features)
