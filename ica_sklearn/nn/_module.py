"""The torch module that :class:`~ica_sklearn.RNNClassifier` trains:
:class:`RecurrentClassifierModule`.

It reads the cell table (:mod:`ica_sklearn.nn._cells`) for what to build and
hands the recurrent forward pass to :func:`~ica_sklearn.nn._recurrence.recurrent_forward`,
which picks the fastest exact route.  The non-recurrent sequence layers are
:class:`~ica_sklearn.nn.TemporalConvNet` and
:class:`~ica_sklearn.nn.TransformerSequenceEncoder`.  The module is a plain
:class:`torch.nn.Module` and can be used on its own.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._cells import POOLINGS, get_cell
from ._convolution import TemporalConvNet
from ._fast_ops import FastDropout
from ._input_cell_attention import InputCellAttention, xavier_linear
from ._recurrence import recurrent_forward
from ._self_attention import StructuredSelfAttention
from ._transformer import TransformerSequenceEncoder

__all__ = ["RecurrentClassifierModule"]


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


def _sequence_layer(spec, n_features, hidden_size, num_layers, dropout):
    """The sequence layer of the cell table row ``spec``."""
    if spec.layer == "TCN":
        return TemporalConvNet(n_features, hidden_size, num_stacks=num_layers, dropout=dropout)
    if spec.layer == "Transformer":
        return TransformerSequenceEncoder(
            n_features, hidden_size, num_layers, dropout=dropout, causal=spec.causal
        )
    return getattr(nn, spec.layer)(
        input_size=n_features,
        hidden_size=hidden_size,
        num_layers=num_layers,
        batch_first=True,
        dropout=dropout if num_layers > 1 else 0.0,
        bidirectional=spec.bidirectional,
    )


class RecurrentClassifierModule(nn.Module):
    """Sequence classifier with a selectable cell; returns logits.

    Layers: dropout on the inputs, optional input-cell attention, the
    sequence layer (torch's fused ``nn.LSTM``/``nn.GRU``/``nn.RNN``, a
    :class:`TemporalConvNet` or a :class:`TransformerSequenceEncoder`; the
    attribute ``recurrent`` for every cell), dropout on its output, pooling
    over the valid time steps, a linear head.  As in
    the paper's code the input dropout acts on the raw inputs, so the
    attention scores see the same dropped-out sequence as the summaries.

    The recurrent pass takes the fastest exact route
    (:func:`~ica_sklearn.nn._recurrence.recurrent_forward`): with input-cell
    attention on the CPU the layer's input weights may be applied before the
    attention average rather than after (the same linear maps in the other
    order).

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_classes : int
        Number of output logits.
    cell : str, default="ica_lstm"
        A name of the cell table :data:`~ica_sklearn.nn.CELLS`.  ``"ica_*"``
        put :class:`InputCellAttention` before the recurrent layer;
        ``"lstm_self_attention"`` pools the LSTM's hidden states with
        :class:`StructuredSelfAttention` (``pooling`` is then unused);
        ``"bilstm"`` runs an LSTM in both directions; ``"tcn"`` is a
        :class:`TemporalConvNet`; ``"transformer"`` and ``"transformer_full"``
        are a :class:`TransformerSequenceEncoder` with causal and full
        attention.
    hidden_size : int, default=5
        Hidden units of a recurrent layer, channels of a TCN, ``d_model`` of
        a transformer.
    num_layers : int, default=1
        Stacked recurrent or transformer layers; for a TCN, stacks of six
        residual blocks with dilations 1, 2, ..., 32.
    attention_hops : int, default=20
    attention_dim : int, default=50
    dropout : float, default=0.1
        Dropout on the inputs, on the sequence layer's output and between
        stacked recurrent layers (inside a TCN's blocks and a transformer's
        residual branches).
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
        spec = get_cell(cell)
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        self.cell = cell
        self.pooling = pooling
        self.input_attention = (
            InputCellAttention(n_features, attention_dim, attention_hops)
            if spec.input_attention
            else None
        )
        self.input_dropout = FastDropout(dropout)
        # Named ``recurrent`` for every cell: the state-dict keys of saved models.
        self.recurrent = _sequence_layer(spec, n_features, hidden_size, num_layers, dropout)
        self.output_dropout = FastDropout(dropout)
        output_size = hidden_size * (2 if spec.bidirectional and spec.recurrent else 1)
        if spec.self_attention:
            self.self_attention = StructuredSelfAttention(
                output_size, attention_dim, attention_hops
            )
            output_size *= attention_hops
        else:
            self.self_attention = None
        self.head = xavier_linear(output_size, n_classes)
        self.to(dtype)

    def recurrent_outputs(self, inputs, lengths):
        """Outputs (B, T, H) of the sequence layer; padded steps are zero.

        Only a bidirectional recurrent layer needs packed sequences (its
        backward pass must start at each sequence's last valid step).  Every
        other recurrent layer and the TCN are causal, attention included:
        their outputs at valid steps never see the end padding, so padded
        batches run like unpadded ones (fused kernels, no packing).  A
        transformer masks the padded steps out of its attention.  The padded
        steps are zeroed afterwards.
        """
        n_steps = inputs.shape[1]
        # Dropout on the raw inputs, before any attention, as the paper's code.
        inputs = self.input_dropout(inputs)
        valid = torch.arange(n_steps, device=inputs.device)[None, :] < lengths[:, None]
        padded = not bool(valid.all())
        spec = get_cell(self.cell)
        if not spec.recurrent:
            if self.input_attention is not None:
                inputs = self.input_attention(inputs)
            outputs = self.recurrent(inputs, valid)
        elif padded and spec.bidirectional:
            if self.input_attention is not None:  # causal: padding never reaches valid steps
                inputs = self.input_attention(inputs)
            packed = pack_padded_sequence(
                inputs, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            outputs, _ = self.recurrent(packed)
            outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=n_steps)
            return outputs
        else:
            outputs = recurrent_forward(self.recurrent, inputs, self.input_attention)
        return outputs.masked_fill(~valid[:, :, None], 0.0) if padded else outputs

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
