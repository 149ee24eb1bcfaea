"""
Real data: handwritten digits read as sequences
================================================

A real multivariate data set that ships with scikit-learn (no download): the
8 x 8 images of :func:`sklearn.datasets.load_digits`, read row by row as
sequences of 8 time steps with 8 features (the pixels of a row), in the
``(n_samples, n_timesteps, n_features)`` layout of ``ica_sklearn``. A
recurrent classifier then has to carry what it saw in the top rows to the
end of the sequence, and the saliency map of each digit can be viewed as an
image: which pixels, in which rows, drove the decision.

For sensor data in aeon's ``(n, channels, T)`` layout, e.g. aeon's
BasicMotions, transpose the last two axes: ``X.transpose(0, 2, 1)``.
"""

# %%
# Load and fit
# ------------
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from ica_sklearn import RNNClassifier, SaliencyExplainer, TimeSeriesStandardScaler

QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
digits = load_digits()
X = digits.images.astype(np.float32)  # (1797, 8 rows = time steps, 8 pixels = features)
y = digits.target
if QUICK:
    X, y = X[:600], y[:600]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                    random_state=0)

model = make_pipeline(
    TimeSeriesStandardScaler(),
    RNNClassifier(cell="ica_lstm", hidden_size=32, lr=1e-2, max_epochs=40 if QUICK else 150,
                  stop_at_perfect_train_accuracy=False, random_state=0),
).fit(X_train, y_train)
print(f"{len(y_train)} training digits, test accuracy {model.score(X_test, y_test):.3f}")

# %%
# Saliency per digit class
# ------------------------
# Saliency with respect to the true class, scaled per sample and averaged
# over the test digits of each class, next to the mean image of that class.
# The maps are with respect to the pipeline's classifier input (standardised
# pixels).
saliency = SaliencyExplainer(model).transform(X_test, y_test)
low = saliency.min(axis=(1, 2), keepdims=True)
high = saliency.max(axis=(1, 2), keepdims=True)
scaled = (saliency - low) / np.maximum(high - low, 1e-12)

fig, axes = plt.subplots(2, 10, figsize=(12, 3))
for digit in range(10):
    axes[0, digit].imshow(X_test[y_test == digit].mean(axis=0), cmap="gray_r")
    axes[0, digit].set_title(str(digit))
    axes[1, digit].imshow(scaled[y_test == digit].mean(axis=0), cmap="magma")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("mean image")
axes[1, 0].set_ylabel("saliency")
fig.tight_layout()
plt.show()
