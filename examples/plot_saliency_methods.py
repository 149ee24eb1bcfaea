"""
Saliency methods compared: gradient, integrated gradients and TSR
=================================================================

:class:`~ica_sklearn.SaliencyExplainer` computes the paper's absolute
gradient by default, and any of several Captum attribution methods with
``method=...``. ``tsr=True`` adds Temporal Saliency Rescaling (Ismail et
al., 2020) on top of a method: it first scores each time step by how much
the map changes when that step is masked, then scores features only within
the important steps. TSR costs about ``1 + T + (1 - threshold) * T * F``
attributions per sample instead of one, so it is the slowest by far.

Because the box data come with the true informative cells, the methods can
be compared with the box-accuracy metrics of :mod:`ica_sklearn.metrics`.
"""

# %%
# One model, three explanations
# -----------------------------
import os
import time

import matplotlib.pyplot as plt
import pandas as pd

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.datasets import make_box_train_test
from ica_sklearn.metrics import evaluate_saliency
from ica_sklearn.plotting import mean_saliency_maps, plot_saliency_maps

QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
size = (dict(n_train=200, n_test=30, n_timesteps=20, n_features=10) if QUICK
        else dict(n_train=1000, n_test=100, n_timesteps=50, n_features=30))
X_train, X_test, y_train, y_test, _, mask_test = make_box_train_test(
    "middle_box", random_state=0, **size)
clf = RNNClassifier(cell="ica_lstm", lr=1e-2, max_epochs=40 if QUICK else 300,
                    random_state=0).fit(X_train, y_train)
print(f"test accuracy {clf.score(X_test, y_test):.2f}")

methods = {
    "gradient": SaliencyExplainer(clf),
    "integrated gradients": SaliencyExplainer(clf, method="integrated_gradients",
                                              method_params={"n_steps": 20}),
    "gradient + TSR": SaliencyExplainer(clf, tsr=True),
}
saliency, rows = {}, {}
for name, explainer in methods.items():
    start = time.perf_counter()
    saliency[name] = explainer.transform(X_test, y_test)
    seconds = time.perf_counter() - start
    scores = evaluate_saliency(mask_test, saliency[name], [
        "weighted_jaccard", "euclidean_distance", "top_k_jaccard", "saliency_auc",
        "enrichment_score"]).mean()
    rows[name] = {**scores.to_dict(), "seconds": seconds}

# %%
# Box accuracy of each method
# ---------------------------
# Weighted Jaccard, top-K Jaccard, AUC and enrichment: higher is better;
# Euclidean distance: lower is better.
table = pd.DataFrame(rows).T
print(table.round(3).to_string())

# %%
# Mean maps per class
# -------------------
# Each sample's map is scaled to [0, 1] and averaged per class; the true box
# is outlined in red.
fig = plot_saliency_maps(
    {name: mean_saliency_maps(maps, y_test) for name, maps in saliency.items()},
    mask_test[0], title="middle box, ica_lstm")
plt.show()
