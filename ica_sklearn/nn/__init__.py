"""Torch layers: input-cell attention, self-attention pooling, the recurrent
fast paths, the temporal convolutional network, the transformer encoder and
the classifier module.

:class:`RecurrentClassifierModule` is what :class:`~ica_sklearn.RNNClassifier`
trains; its ``cell`` is a row of the cell table :data:`CELLS`.  The layers
are plain :class:`torch.nn.Module` objects and can be used on their own.

Modules: ``_cells`` (the cell table), ``_input_cell_attention`` (the layer
and its causal attention for all steps at once), ``_self_attention``
(structured self-attention pooling), ``_recurrence`` (the recurrent forward
pass by the fastest exact route), ``_convolution`` (the temporal
convolutional network of the ``"tcn"`` cell), ``_transformer`` (the
transformer encoder of the ``"transformer*"`` cells), ``_float64_lstm`` (a float64 CPU LSTM
recurrence), ``_fast_ops`` (cheaper CPU dropout and tanh), ``_private_ops``
(the only calls of torch's private operators) and ``_module`` (the module).
The cell table loads without torch; everything else imports it.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_cells": [
            "CELLS",
            "CELL_TYPES",
            "LAYERS",
            "POOLINGS",
            "RECURRENT_LAYERS",
            "Cell",
            "get_cell",
        ],
        "_convolution": ["TemporalConvNet"],
        "_fast_ops": ["FastDropout"],
        "_input_cell_attention": [
            "InputCellAttention",
            "causal_attention_matrix",
            "causal_attention_summary",
        ],
        "_module": ["RecurrentClassifierModule"],
        "_self_attention": ["StructuredSelfAttention"],
        "_transformer": [
            "TransformerSequenceEncoder",
            "attention_heads",
            "sinusoidal_positions",
        ],
    },
)
