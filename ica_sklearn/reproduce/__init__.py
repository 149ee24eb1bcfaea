"""The paper's Table 1, reproduced: the paper's numbers (``_paper``) and the
pipeline that regenerates them (``_table1``: data, training, saliency,
metrics, tables and figures).  ``ica-sklearn reproduce`` calls
:func:`reproduce_table1`.  The paper's numbers load without torch."""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_paper": ["MODEL_NAMES", "PAPER_LAYOUTS", "PAPER_MODELS", "PAPER_TABLE1", "paper_table1"],
        "_table1": [
            "FULL_CONFIG",
            "PAPER_CONFIG",
            "QUICK_CONFIG",
            "reproduce_table1",
            "run_one",
            "table1_markdown",
        ],
    },
)
