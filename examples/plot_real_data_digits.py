"""
Real data without extras: handwritten digits read as sequences
==============================================================

A real data set that ships with scikit-learn itself (no download, no
optional package): the 8 x 8 images of :func:`sklearn.datasets.load_digits`,
read row by row as sequences of 8 time steps with 8 features (the pixels of
a row), in the ``(n_samples, n_timesteps, n_features)`` layout of
``ica_sklearn``. A recurrent classifier then has to carry what it saw in the
top rows to the end of the sequence, and the saliency map of each digit can
be viewed as an image: which pixels, in which rows, drove the decision.
Pixel intensities (0 to 16) are divided by 16, so no scaler is needed.

Real sensor recordings, in aeon's ``(n, channels, T)`` layout, are in the
:ref:`BasicMotions example <sphx_glr_auto_examples_plot_real_data.py>`.
"""

# %%
# Load and fit
# ------------
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.plotting import normalize_maps

QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
digits = load_digits()
X = (digits.images / 16).astype(np.float32)  # (1797, 8 rows = time steps, 8 pixels = features)
y = digits.target
if QUICK:
    X, y = X[:600], y[:600]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                    random_state=0)

model = RNNClassifier(cell="ica_lstm", hidden_size=32, lr=1e-2, max_epochs=40 if QUICK else 150,
                      stop_at_perfect_train_accuracy=False, random_state=0).fit(X_train, y_train)
print(f"{len(y_train)} training digits, test accuracy {model.score(X_test, y_test):.3f}")

# %%
# Saliency per digit class
# ------------------------
# Two maps with respect to the true class, each scaled to [0, 1] per sample
# and averaged over the test digits of a class, under the mean image of that
# class. The plain gradient says where a change of the input would change
# the output most, blank pixels included; here it is high in the top rows,
# the first time steps, so the early inputs were not forgotten. Gradient x
# input keeps only what the ink actually there contributed, and follows the
# strokes of each digit.
maps = {
    "gradient": SaliencyExplainer(model).transform(X_test, y_test),
    "gradient x input": SaliencyExplainer(model, method="input_x_gradient").transform(
        X_test, y_test),
}

fig, axes = plt.subplots(3, 10, figsize=(12, 4.2))
for digit in range(10):
    axes[0, digit].imshow(X_test[y_test == digit].mean(axis=0), cmap="gray_r")
    axes[0, digit].set_title(str(digit))
    for row, saliency in enumerate(maps.values(), start=1):
        axes[row, digit].imshow(normalize_maps(saliency[y_test == digit]).mean(axis=0),
                                cmap="magma")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
for row, label in enumerate(["mean image", *maps], start=0):
    axes[row, 0].set_ylabel(label, fontsize=8)
fig.tight_layout()
plt.show()
