"""
Choosing a cell with a grid search: accuracy and explanation quality
====================================================================

:class:`~ica_sklearn.RNNClassifier` is a scikit-learn estimator, so the
recurrent cell is a hyper-parameter like any other: put the classifier in a
:class:`~sklearn.pipeline.Pipeline` after a
:class:`~ica_sklearn.TimeSeriesStandardScaler` and search over ``cell`` with
:class:`~sklearn.model_selection.GridSearchCV`.

Accuracy alone cannot tell the cells apart when several of them classify
well. :func:`ica_sklearn.metrics.make_saliency_scorer` adds a second score:
how well each model's saliency maps find the informative cells (here the
weighted Jaccard index against the known box), so that the search can
select the model whose *explanations* are right.
"""

# %%
# The search
# ----------
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from ica_sklearn import RNNClassifier, TimeSeriesStandardScaler
from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.metrics import make_saliency_scorer

QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
if QUICK:
    X, y, mask = make_box_dataset("earlier_box", n_samples=160, n_timesteps=30,
                                  n_features=12, random_state=0)
    cells, cv, epochs = ["lstm", "ica_lstm"], 2, 30
else:
    X, y, mask = make_box_dataset("earlier_box", n_samples=600, n_timesteps=60,
                                  n_features=40, random_state=0)
    cells, cv, epochs = ["rnn", "gru", "lstm", "ica_rnn", "ica_gru", "ica_lstm"], 3, 200

pipe = make_pipeline(
    TimeSeriesStandardScaler(),
    RNNClassifier(lr=1e-2, max_epochs=epochs, random_state=0),
)
search = GridSearchCV(
    pipe,
    {"rnnclassifier__cell": cells},
    scoring={
        "accuracy": "accuracy",
        # the box is the same for every sample, so one (T, F) mask is enough
        "wjac": make_saliency_scorer("weighted_jaccard", mask=mask[0]),
    },
    refit="wjac",  # keep the model whose saliency finds the box best
    cv=cv,
).fit(X, y)

results = pd.DataFrame({
    "cell": search.cv_results_["param_rnnclassifier__cell"],
    "accuracy": search.cv_results_["mean_test_accuracy"],
    "weighted Jaccard": search.cv_results_["mean_test_wjac"],
}).set_index("cell")
print(results.round(3))
print("selected:", search.best_params_)

# %%
# Both scores side by side
# ------------------------
# Note that the saliency maps are taken with respect to the classifier's
# input, i.e. the standardised series: the explainer differentiates the last
# step of the pipeline.
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
positions = np.arange(len(results))
for ax, column, color in zip(axes, results.columns, ["tab:blue", "tab:orange"]):
    ax.barh(positions, results[column], color=color)
    ax.set_title(f"{column} ({cv}-fold CV)")
    ax.set_xlim(0, max(1.0 if column == "accuracy" else 0.0, results[column].max() * 1.15))
axes[0].set_yticks(positions, results.index)
fig.tight_layout()
plt.show()
