"""The cell table: what each ``cell`` name of :class:`~ica_sklearn.RNNClassifier` builds.

Every cell is one :class:`Cell` row: the sequence layer (a recurrent layer,
a temporal convolutional network or a transformer encoder), whether every
step sees the whole sequence (both directions), whether input-cell
attention feeds it, and whether its outputs are pooled by structured
self-attention.  The torch module
(:class:`~ica_sklearn.nn.RecurrentClassifierModule`) reads this table and
nothing else about the name, so adding a cell is adding a row.

The table holds names, not torch classes, so that it (and the command line,
which offers the names as choices) loads without importing torch.

Examples
--------
>>> from ica_sklearn.nn import CELLS
>>> CELLS["ica_gru"].layer, CELLS["ica_gru"].input_attention
('GRU', True)
>>> [name for name, cell in CELLS.items() if not cell.causal]
['bilstm', 'transformer_full']
"""

from dataclasses import dataclass

__all__ = ["CELLS", "CELL_TYPES", "LAYERS", "POOLINGS", "RECURRENT_LAYERS", "Cell", "get_cell"]

#: Recurrent ``layer`` values: names of torch's fused layers in :mod:`torch.nn`.
RECURRENT_LAYERS = ("LSTM", "GRU", "RNN")
#: Every ``layer`` value: the recurrent layers, :class:`~ica_sklearn.nn.TemporalConvNet`
#: and :class:`~ica_sklearn.nn.TransformerSequenceEncoder`.
LAYERS = (*RECURRENT_LAYERS, "TCN", "Transformer")


@dataclass(frozen=True)
class Cell:
    """One row of the cell table.

    Attributes
    ----------
    name : str
        The ``cell`` value that selects this row.
    layer : {"LSTM", "GRU", "RNN", "TCN", "Transformer"}
        The sequence layer: the name of a fused recurrent layer of
        :mod:`torch.nn`, ``"TCN"`` (:class:`~ica_sklearn.nn.TemporalConvNet`,
        dilated causal convolutions) or ``"Transformer"``
        (:class:`~ica_sklearn.nn.TransformerSequenceEncoder`).
    bidirectional : bool
        Let every step see the whole sequence: a recurrent layer runs
        forwards and backwards (outputs concatenated), a transformer attends
        to all steps instead of the past and present only.  A TCN is always
        causal.
    input_attention : bool
        Feed the layer the input-cell attention summaries ``M_t`` instead of
        ``x_t`` (Ismail et al., 2019).
    self_attention : bool
        Pool the layer's outputs with structured self-attention (Lin et al.,
        2017) instead of ``pooling``.
    description : str
        One line for documentation and ``--help``.
    """

    name: str
    layer: str
    bidirectional: bool = False
    input_attention: bool = False
    self_attention: bool = False
    description: str = ""

    def __post_init__(self):
        if self.layer not in LAYERS:
            raise ValueError(
                f"Cell {self.name!r}: layer must be one of {LAYERS}, got {self.layer!r}."
            )
        if self.layer == "TCN" and self.bidirectional:
            raise ValueError(
                f"Cell {self.name!r}: a TCN is causal and cannot be bidirectional; "
                "use a bidirectional recurrent layer or a transformer with full attention."
            )

    @property
    def recurrent(self):
        """Whether the layer is one of torch's fused recurrent layers."""
        return self.layer in RECURRENT_LAYERS

    @property
    def causal(self):
        """Whether the layer's output at step ``t`` depends on steps ``<= t`` only.

        Causal layers run padded batches without packing: end padding never
        reaches their outputs at valid steps.
        """
        return not self.bidirectional


CELLS = {
    cell.name: cell
    for cell in (
        Cell("lstm", "LSTM", description="LSTM"),
        Cell("gru", "GRU", description="GRU"),
        Cell("rnn", "RNN", description="Elman RNN (tanh)"),
        Cell("bilstm", "LSTM", bidirectional=True, description="bidirectional LSTM"),
        Cell(
            "lstm_self_attention",
            "LSTM",
            self_attention=True,
            description="LSTM whose hidden states are pooled by structured self-attention",
        ),
        Cell("ica_lstm", "LSTM", input_attention=True, description="LSTM + input-cell attention"),
        Cell("ica_gru", "GRU", input_attention=True, description="GRU + input-cell attention"),
        Cell("ica_rnn", "RNN", input_attention=True, description="RNN + input-cell attention"),
        Cell(
            "tcn",
            "TCN",
            description="temporal convolutional network (dilated causal convolutions)",
        ),
        Cell("transformer", "Transformer", description="transformer encoder with causal attention"),
        Cell(
            "transformer_full",
            "Transformer",
            bidirectional=True,
            description="transformer encoder with full (bidirectional) attention",
        ),
    )
}
"""``name -> Cell`` for every value of ``cell``."""

#: Names accepted by ``cell``.
CELL_TYPES = tuple(CELLS)
#: Names accepted by ``pooling``.
POOLINGS = ("last", "mean", "max")


def get_cell(name):
    """The :class:`Cell` row of ``name``; a ``ValueError`` lists the choices."""
    try:
        return CELLS[name]
    except (KeyError, TypeError):
        raise ValueError(f"cell must be one of {CELL_TYPES}, got {name!r}.") from None
