"""Synthetic data with known ground truth for saliency.

``_boxes``: the "box" data sets of Ismail et al. (2019), where the class lives
in known (time x feature) boxes and a mask marks them; ``_backgrounds``: the
background processes the boxes sit on (white noise, AR(1), harmonic, NARMA,
Gaussian process), after Ismail et al. (2020).  NumPy, SciPy and
scikit-learn only: no torch.
"""

from ._backgrounds import BACKGROUND_PROCESSES, generate_background
from ._boxes import (
    BOX_LAYOUTS,
    MIXED_BOX_CHOICES,
    box_mask,
    list_box_layouts,
    make_box_dataset,
    make_box_train_test,
)

__all__ = [
    "BACKGROUND_PROCESSES",
    "BOX_LAYOUTS",
    "MIXED_BOX_CHOICES",
    "box_mask",
    "generate_background",
    "list_box_layouts",
    "make_box_dataset",
    "make_box_train_test",
]
