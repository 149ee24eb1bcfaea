"""The cell table: what each ``cell`` name of :class:`~ica_sklearn.RNNClassifier` builds.

Every cell is one :class:`Cell` row: the recurrent layer, whether it runs in
both directions, whether input-cell attention feeds it, and whether its
hidden states are pooled by structured self-attention.  The torch module
(:class:`~ica_sklearn.nn.RecurrentClassifierModule`) reads this table and
nothing else about the name, so adding a cell is adding a row.

The table holds names, not torch classes, so that it (and the command line,
which offers the names as choices) loads without importing torch.

Examples
--------
>>> from ica_sklearn.nn import CELLS
>>> CELLS["ica_gru"].recurrent_layer, CELLS["ica_gru"].input_attention
('GRU', True)
>>> [name for name, cell in CELLS.items() if cell.bidirectional]
['bilstm']
"""

from dataclasses import dataclass

__all__ = ["CELLS", "CELL_TYPES", "POOLINGS", "Cell", "get_cell"]


@dataclass(frozen=True)
class Cell:
    """One row of the cell table.

    Attributes
    ----------
    name : str
        The ``cell`` value that selects this row.
    recurrent_layer : {"LSTM", "GRU", "RNN"}
        Name of the fused torch layer in :mod:`torch.nn`.
    bidirectional : bool
        Run the layer forwards and backwards (outputs concatenated).
    input_attention : bool
        Feed the layer the input-cell attention summaries ``M_t`` instead of
        ``x_t`` (Ismail et al., 2019).
    self_attention : bool
        Pool the hidden states with structured self-attention (Lin et al.,
        2017) instead of ``pooling``.
    description : str
        One line for documentation and ``--help``.
    """

    name: str
    recurrent_layer: str
    bidirectional: bool = False
    input_attention: bool = False
    self_attention: bool = False
    description: str = ""


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
