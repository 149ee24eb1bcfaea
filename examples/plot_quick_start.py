"""
Quick start: fit, predict, explain, check, plot
===============================================

Train an LSTM with input-cell attention on the paper's "earlier box" data,
score it, compute the saliency map of every test sample and show where the
model looked. The informative cells (the box) are known, so the maps can be
checked: per-sample AUC (does the map rank the box's cells first?) and time
localisation (does it say *when*?), each beside a random map, which scores
0.5 on both.

The classifier and the explainer use the setting recommended for
explanations (:meth:`RNNClassifier.for_explanation
<ica_sklearn.RNNClassifier.for_explanation>`,
:meth:`SaliencyExplainer.for_explanation
<ica_sklearn.SaliencyExplainer.for_explanation>`); the user guide page
"What saliency can and cannot tell you" shows why the paper's protocol,
the constructor's default, does not localise.
"""

# %%
import os

import matplotlib.pyplot as plt

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.datasets import make_box_train_test
from ica_sklearn.metrics import saliency_auc, time_localization
from ica_sklearn.plotting import normalize_maps

QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"  # small sizes for tests and docs
size = dict(n_train=200, n_test=60, n_timesteps=30, n_features=20) if QUICK else {}

X_train, X_test, y_train, y_test, _, mask_test = make_box_train_test(
    "earlier_box", random_state=0, **size)
clf = RNNClassifier.for_explanation(random_state=0).fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.2f}")

saliency = SaliencyExplainer.for_explanation(clf).transform(X_test, y_test)  # (n_test, T, F)
random_maps = SaliencyExplainer(clf, "random", random_state=0).transform(X_test, y_test)
for name, maps in (("model", saliency), ("random map", random_maps)):
    print(f"{name:>10}: per-sample AUC {saliency_auc(mask_test, maps).mean():.3f}, "
          f"time localisation {time_localization(mask_test, maps).mean():.3f}")

# %%
# Mean saliency of the test samples, each map scaled to [0, 1] first (time
# on x, features on y); the true box is outlined in white.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
image = ax.imshow(normalize_maps(saliency).mean(axis=0).T, origin="lower", aspect="auto")
ax.contour(mask_test[0].T, levels=[0.5], colors="white")
ax.set(xlabel="time step", ylabel="feature",
       title="ica_lstm: mean evidence-gated gradient (each map min-max scaled)")
fig.colorbar(image, ax=ax)
plt.show()
