"""The cell table is the only place that says what a cell name builds."""

import pytest
import torch

from ica_sklearn.nn import CELLS, RecurrentClassifierModule, get_cell


@pytest.mark.parametrize("name", CELLS)
def test_every_row_builds_what_it_says(name):
    cell = CELLS[name]
    module = RecurrentClassifierModule(6, 2, cell=name, hidden_size=3, attention_hops=2)
    assert type(module.recurrent).__name__ == cell.recurrent_layer
    assert module.recurrent.bidirectional == cell.bidirectional
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


def test_unknown_names_list_the_choices():
    with pytest.raises(ValueError, match="cell must be one of .*'ica_lstm'"):
        get_cell("transformer")


def test_the_table_loads_without_torch():
    import subprocess
    import sys

    code = "import sys, ica_sklearn.nn._cells; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
