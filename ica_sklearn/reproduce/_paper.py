"""Table 1 of Ismail et al. (NeurIPS 2019), as data.

The numbers are printed beside ours by ``ica-sklearn reproduce``.  WJac is
the weighted Jaccard (higher is better), Euc the normalised Euclidean
distance (lower is better) and Acc the test accuracy in percent.
"""

__all__ = ["PAPER_LAYOUTS", "PAPER_MODELS", "PAPER_TABLE1", "MODEL_NAMES", "paper_table1"]

PAPER_MODELS = ("lstm", "bilstm", "lstm_self_attention", "ica_lstm")
"""The four models of Table 1, as ``RNNClassifier(cell=...)`` names."""

MODEL_NAMES = {
    "lstm": "LSTM",
    "bilstm": "Bi-LSTM",
    "lstm_self_attention": "LSTM + self-attention",
    "ica_lstm": "LSTM + input-cell attention",
}
"""Display names of the paper's models."""

PAPER_LAYOUTS = (
    "earlier_box",
    "middle_box",
    "latter_box",
    "mixed_boxes",
    "three_earlier_boxes",
    "three_middle_boxes",
)
"""The six box layouts of Table 1, in the paper's order."""

# Rows: models in PAPER_MODELS order; per layout (WJac, Euc, Acc %).
_ROWS = {
    "earlier_box": ((0.000, 1.006, 53.4), (0.000, 1.004, 50.7), (0.048, 0.973, 100.0), (0.103, 0.914, 100.0)),
    "middle_box": ((0.000, 1.003, 98.6), (0.000, 1.003, 53.2), (0.048, 0.963, 100.0), (0.124, 0.891, 100.0)),
    "latter_box": ((0.019, 0.985, 100.0), (0.013, 0.990, 100.0), (0.045, 0.973, 100.0), (0.110, 0.903, 100.0)),
    "mixed_boxes": ((0.000, 1.003, 49.1), (0.000, 1.002, 51.5), (0.060, 0.953, 100.0), (0.104, 0.912, 77.6)),
    "three_earlier_boxes": ((0.000, 1.003, 52.2), (0.000, 1.003, 51.3), (0.025, 0.985, 100.0), (0.108, 0.903, 100.0)),
    "three_middle_boxes": ((0.000, 1.004, 51.8), (0.000, 1.003, 51.3), (0.075, 0.939, 99.9), (0.106, 0.905, 100.0)),
}

PAPER_TABLE1 = {
    (layout, model): dict(zip(("weighted_jaccard", "euclidean_distance", "accuracy"), row))
    for layout in PAPER_LAYOUTS
    for model, row in zip(PAPER_MODELS, _ROWS[layout])
}
"""``(layout, model) -> {"weighted_jaccard", "euclidean_distance", "accuracy"}``."""


def paper_table1():
    """The paper's Table 1 as a long DataFrame.

    Returns
    -------
    table : pandas.DataFrame
        One row per (layout, model) with columns ``layout``, ``model``,
        ``weighted_jaccard``, ``euclidean_distance`` and ``accuracy`` (%).

    Examples
    --------
    >>> from ica_sklearn.reproduce import paper_table1
    >>> table = paper_table1()
    >>> table.shape
    (24, 5)
    >>> row = table.query("layout == 'earlier_box' and model == 'ica_lstm'").iloc[0]
    >>> float(row["weighted_jaccard"]), float(row["euclidean_distance"]), float(row["accuracy"])
    (0.103, 0.914, 100.0)
    """
    rows = [{"layout": layout, "model": model, **values} for (layout, model), values in PAPER_TABLE1.items()]
    import pandas as pd

    return pd.DataFrame(rows)
