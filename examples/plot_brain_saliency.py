"""
Which brain regions, and when? Saliency of LSTM vs input-cell attention on simulated task fMRI
==============================================================================================

Ismail et al. (NeurIPS 2019) classified the task a Human Connectome Project
subject performed from the time series of brain regions, and showed that the
gradient saliency of a plain LSTM only lights up regions in the last time
steps, while an LSTM with input-cell attention finds task regions across the
whole run.

HCP data cannot be downloaded here, so this example uses
:func:`ica_sklearn.brain.make_task_fmri_dataset`: subjects doing two tasks on
the 160 regions of Dosenbach et al. (2010) (coordinates shipped with nilearn).
Each task drives eight regions of its own network, in one block early in the
run and one block late, with a haemodynamic response and correlated noise. We
know exactly where the signal is (``mask``), so we can measure how well each
model's saliency finds it, and draw it on the brain, absolute and signed.
Everything runs offline.

In the documentation's (quick) run, input-cell attention reaches a test
accuracy of 1.00 on held-out subjects, the plain LSTM stays near chance
(0.50), as in the paper's earlier-box experiment: its saliency is shown for
comparison only, and a map of a model at chance explains nothing. The
accuracies are printed below and checked by the script.
"""

# %%
# Simulate the data
# -----------------
# Subjects x 2 tasks x 4 runs of 100 scans (TR = 2 s), task response peaking
# at 3 noise standard deviations. Whole subjects are held out for testing
# (``info.subject`` are the groups).
import os

import matplotlib

matplotlib.use("Agg")  # headless; remove to show windows
import matplotlib.pyplot as plt
import numpy as np

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.brain import (
    aggregate_time_windows,
    make_task_fmri_dataset,
    plot_glass_brain_windows,
    plot_region_time_heatmap,
    plot_saliency_glass_brain,
    plot_saliency_markers,
    plot_saliency_stat_map,
    plot_saliency_surface,
    rank_one_share,
    window_labels,
)
from ica_sklearn.metrics import saliency_auc

# ICA_SKLEARN_QUICK=1 (tests, docs gallery): fewer subjects and epochs (the
# models still learn: the script checks it), figures kept open, not saved.
QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
N_SUBJECTS, N_EPOCHS = (16, 40) if QUICK else (40, 80)


def output_file(name):
    """Where to save a figure: nowhere in quick mode."""
    return None if QUICK else name


TR = 2.0
X, y, mask, info = make_task_fmri_dataset(
    n_subjects=N_SUBJECTS, n_runs=4, n_timesteps=100, tr=TR, coords="dosenbach",
    amplitude=3.0, random_state=0, return_info=True,
)
atlas = info.atlas
test = info.subject >= N_SUBJECTS * 3 // 4
print(f"X {X.shape}, {test.sum()} test runs of {len(set(info.subject[test]))} held-out subjects")
for task, region_ids in enumerate(info.task_regions):
    networks = sorted(set(atlas.networks[atlas.index_of(region_ids)].tolist()))
    print(f"  task {task}: {networks} regions {region_ids.tolist()}, "
          f"blocks (scans) {info.task_blocks[task]}")

# %%
# Train an LSTM and an LSTM with input-cell attention
# ---------------------------------------------------
# Hidden size 16, Adam with a learning rate of 5e-3, a fixed number of epochs.
models, accuracy = {}, {}
for cell in ("lstm", "ica_lstm"):
    models[cell] = RNNClassifier(
        cell=cell, hidden_size=16, max_epochs=N_EPOCHS, lr=5e-3,
        stop_at_perfect_train_accuracy=False, random_state=0, torch_num_threads=1,
    ).fit(X[~test], y[~test])
    accuracy[cell] = models[cell].score(X[test], y[test])
    print(f"{cell}: test accuracy on held-out subjects {accuracy[cell]:.2f}")
assert accuracy["ica_lstm"] >= 0.9, "the input-cell attention model must learn for this example"

# %%
# Saliency, scored against the true signal
# ----------------------------------------
# For each test run, the absolute gradient of the probability of its true
# task with respect to every (scan, region) cell. AUC compares it with
# ``mask``; we also split the saliency on the true cells into the first and
# the second half of the run, and measure how much of the mean map is one
# spatial pattern times one time course (its rank-1 share).
saliency = {}
half = X.shape[1] // 2
for cell, model in models.items():
    saliency[cell] = SaliencyExplainer(model).transform(X[test], y[test])
    s = saliency[cell]
    on_truth = np.where(mask[test], s, 0.0)
    early_share = on_truth[:, :half].sum() / max(on_truth.sum(), 1e-12)
    print(
        f"{cell:9s} AUC {saliency_auc(mask[test], s).mean():.3f}  "
        f"true-cell saliency in the first half: {early_share:.0%}  "
        f"rank-1 share of the mean map: {rank_one_share(s.mean(axis=0)):.0%}"
    )


def scaled_mean(maps):
    """Mean over runs of each run's saliency scaled to [0, 1]."""
    low = maps.min(axis=(1, 2), keepdims=True)
    high = maps.max(axis=(1, 2), keepdims=True)
    return ((maps - low) / np.maximum(high - low, 1e-12)).mean(axis=0)


# %%
# Time x region: where each model looks
# -------------------------------------
# Mean scaled saliency of the test runs of task 0, regions grouped by network;
# the cyan outline is where task 0's signal truly is.
task0 = y[test] == 0
truth0 = mask[test][task0].mean(axis=0) > 0.5
figure, axes = plt.subplots(2, 1, figsize=(9, 9), sharex=True)
for ax, cell in zip(axes, models):
    plot_region_time_heatmap(scaled_mean(saliency[cell][task0]), atlas, mask=truth0, tr=TR,
                             ax=ax, colorbar_label="scaled |gradient|",
                             title=f"{cell} (test accuracy {accuracy[cell]:.2f}): task 0 runs")
figure.tight_layout()
if not QUICK:
    figure.savefig("brain_saliency_heatmaps.png", dpi=120)

# %%
# The input-cell attention model on the brain, one glass brain per 50 s
# ---------------------------------------------------------------------
# Top 10 % of (window, region) values on one colour scale; the dashed line on
# the colour bar is the threshold.
windows, bounds = aggregate_time_windows(scaled_mean(saliency["ica_lstm"][task0]),
                                         tr=TR, window_seconds=50.0, return_bounds=True)
plot_glass_brain_windows(windows, atlas, window_labels=window_labels(bounds),
                         colorbar_label="scaled |gradient|",
                         title=f"ica_lstm (accuracy {accuracy['ica_lstm']:.2f}): task 0 runs",
                         output_file=output_file("brain_saliency_glass_ica_lstm.png"))

# %%
# Signed saliency: evidence for task 0, and against it
# ----------------------------------------------------
# The absolute map of task 0 also lights up task 1's regions: for two tasks,
# *absence* of task 1's response is evidence for task 0. The signed map
# (input x gradient of the logit of task 0, ``absolute=False``) separates the
# two: task 0's regions push toward task 0 (red), task 1's regions against
# it (blue). Diverging colours on symmetric limits are the default for signed
# values.
signed = SaliencyExplainer(models["ica_lstm"], method="input_x_gradient", absolute=False,
                           output="logit", target=0).transform(X[test])
region_signed = signed.mean(axis=0).sum(axis=0)
display = plot_saliency_glass_brain(region_signed, atlas, colorbar_label="evidence for task 0",
                                    title="ica_lstm: signed saliency toward task 0")
display.add_markers(atlas.coords[atlas.index_of(info.task_regions[0])], marker_color="none",
                    marker_size=60, edgecolors="k")  # true task 0 regions circled
if not QUICK:
    display.savefig("brain_saliency_signed.png")
ids = atlas.region_ids
print("regions most for task 0:", ids[np.argsort(region_signed)[::-1][:8]].tolist())
print("regions most against   :", ids[np.argsort(region_signed)[:8]].tolist())

# %%
# Whole-run summaries: slices, markers, surface
# ---------------------------------------------
# The same signed map over the MNI template (slices through its strongest
# region), as markers at the region centres, and on the fsaverage5 surface
# that nilearn ships.
plot_saliency_stat_map(region_signed, atlas, colorbar_label="evidence for task 0",
                       title="ica_lstm: signed, summed over time",
                       output_file=output_file("brain_saliency_stat_map.png"))
plot_saliency_markers(region_signed, atlas, colorbar_label="evidence for task 0",
                      title="ica_lstm: signed region saliency",
                      output_file=output_file("brain_saliency_markers.png"))
plot_saliency_surface(region_signed, atlas, colorbar_label="evidence for task 0",
                      title="ica_lstm: signed cortical saliency",
                      output_file=output_file("brain_saliency_surface.png"))
