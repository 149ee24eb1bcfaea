"""The cell table is the only place that says what a cell name builds."""

import pytest
import torch

from ica_sklearn.nn import (
    CELLS,
    Cell,
    RecurrentClassifierModule,
    TemporalConvNet,
    TransformerSequenceEncoder,
    get_cell,
)

LAYER_CLASSES = {
    "LSTM": torch.nn.LSTM,
    "GRU": torch.nn.GRU,
    "RNN": torch.nn.RNN,
    "TCN": TemporalConvNet,
    "Transformer": TransformerSequenceEncoder,
}


@pytest.mark.parametrize("name", CELLS)
def test_every_row_builds_what_it_says(name):
    cell = CELLS[name]
    module = RecurrentClassifierModule(6, 2, cell=name, hidden_size=4, attention_hops=2)
    assert type(module.recurrent) is LAYER_CLASSES[cell.layer]
    if cell.recurrent:
        assert module.recurrent.bidirectional == cell.bidirectional
    elif cell.layer == "Transformer":
        assert module.recurrent.causal == cell.causal
    assert (module.input_attention is not None) == cell.input_attention
    assert (module.self_attention is not None) == cell.self_attention
    assert module(torch.randn(2, 5, 6)).shape == (2, 2)


def test_a_new_row_is_a_new_cell(monkeypatch):
    from ica_sklearn.nn import _cells

    row = _cells.Cell("ica_bigru", "GRU", bidirectional=True, input_attention=True)
    monkeypatch.setitem(_cells.CELLS, row.name, row)
    module = RecurrentClassifierModule(6, 2, cell="ica_bigru", hidden_size=3)
    assert module.recurrent.bidirectional and module.input_attention is not None
    assert module.head.in_features == 6


def test_a_row_may_put_input_cell_attention_before_a_transformer(monkeypatch):
    from ica_sklearn.nn import _cells

    row = _cells.Cell("ica_transformer", "Transformer", input_attention=True)
    monkeypatch.setitem(_cells.CELLS, row.name, row)
    module = RecurrentClassifierModule(6, 2, cell="ica_transformer", hidden_size=4).eval()
    assert module.input_attention is not None and module.head.in_features == 4
    assert torch.isfinite(module(torch.randn(2, 5, 6), torch.tensor([5, 2]))).all()


def test_rows_that_cannot_be_built_are_refused():
    with pytest.raises(ValueError, match="layer must be one of"):
        Cell("lstm2", "LSTM2")
    with pytest.raises(ValueError, match="TCN is causal and cannot be bidirectional"):
        Cell("bitcn", "TCN", bidirectional=True)


def test_causal_means_one_direction():
    assert [name for name, cell in CELLS.items() if not cell.causal] == [
        "bilstm",
        "transformer_full",
    ]
    assert not CELLS["tcn"].recurrent and CELLS["ica_gru"].recurrent


def test_unknown_names_list_the_choices():
    with pytest.raises(ValueError, match="cell must be one of .*'ica_lstm'.*'tcn'"):
        get_cell("transformer_xl")


def test_the_table_loads_without_torch():
    import subprocess
    import sys

    code = "import sys, ica_sklearn.nn._cells; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
