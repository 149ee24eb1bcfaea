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
model's saliency finds it, and draw it on the brain. Everything runs offline.
"""

# %%
# Simulate the data
# -----------------
# 60 subjects x 2 tasks x 2 runs = 240 runs of 100 scans (TR = 2 s), task
# response peaking at 3 noise standard deviations. We hold out whole subjects
# for testing (``info.subject`` are the groups).
import os

import matplotlib

matplotlib.use("Agg")  # headless; remove to show windows
import matplotlib.pyplot as plt
import numpy as np

from ica_sklearn import RNNClassifier
from ica_sklearn.brain import (
    aggregate_time_windows,
    make_task_fmri_dataset,
    plot_glass_brain_windows,
    plot_region_time_heatmap,
    plot_saliency_markers,
    plot_saliency_stat_map,
    plot_saliency_surface,
)
from ica_sklearn import SaliencyExplainer
from ica_sklearn.metrics import saliency_auc, weighted_jaccard

# ICA_SKLEARN_QUICK=1 (tests, docs gallery): fewer subjects and epochs, and
# figures are kept open for the gallery instead of being saved to files.
QUICK = os.environ.get("ICA_SKLEARN_QUICK") == "1"
N_SUBJECTS, N_EPOCHS = (16, 10) if QUICK else (60, 150)


def output_file(name):
    """Where to save a figure: nowhere in quick mode."""
    return None if QUICK else name


TR = 2.0
X, y, mask, info = make_task_fmri_dataset(
    n_subjects=N_SUBJECTS, n_timesteps=100, tr=TR, coords="dosenbach", amplitude=3.0, random_state=0,
    return_info=True,
)
atlas = info.atlas
test = info.subject >= N_SUBJECTS * 3 // 4
print(f"X {X.shape}, {test.sum()} test runs; task regions:")
for task, region_ids in enumerate(info.task_regions):
    networks = sorted(set(atlas.networks[atlas.index_of(region_ids)].tolist()))
    blocks = info.task_blocks[task]
    print(f"  task {task}: {networks} regions {region_ids.tolist()}, blocks {blocks}")

# %%
# Train an LSTM and an LSTM with input-cell attention
# ---------------------------------------------------
# The paper's network (hidden size 5, Adam), with a larger learning rate and a
# fixed 150 epochs: stopping at 100 % training accuracy stops the LSTM while
# it has only memorised the training runs.
models = {}
for cell in ("lstm", "ica_lstm"):
    models[cell] = RNNClassifier(
        cell=cell, max_epochs=N_EPOCHS, lr=5e-3, stop_at_perfect_train_accuracy=False, random_state=0
    ).fit(X[~test], y[~test])
    print(f"{cell}: test accuracy {models[cell].score(X[test], y[test]):.2f}")

# %%
# Saliency, scored against the true signal
# ----------------------------------------
# For each test run, the absolute gradient of the probability of its true
# task with respect to every (scan, region) cell. Weighted Jaccard and AUC
# compare it with ``mask``; we also split the saliency that falls on the true
# cells into the early and the late half of the run.
saliency = {}
half = X.shape[1] // 2
for cell, model in models.items():
    saliency[cell] = SaliencyExplainer(model).transform(X[test], y[test])
    s = saliency[cell]
    on_truth = np.where(mask[test], s, 0.0)
    early_share = on_truth[:, :half].sum() / max(on_truth.sum(), 1e-12)
    print(
        f"{cell:9s} WJac {weighted_jaccard(mask[test], s).mean():.3f}  "
        f"AUC {saliency_auc(mask[test], s).mean():.3f}  "
        f"share of true-cell saliency in the first half: {early_share:.0%}"
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
# the cyan outline is where task 0's signal truly is. The LSTM's saliency sits
# at the end of the run; input-cell attention also finds the early block.
task0 = y[test] == 0
truth0 = mask[test][task0].mean(axis=0) > 0.5
figure, axes = plt.subplots(2, 1, figsize=(9, 9), sharex=True)
for ax, cell in zip(axes, models):
    plot_region_time_heatmap(scaled_mean(saliency[cell][task0]), atlas, mask=truth0, tr=TR,
                             ax=ax, title=f"{cell}: saliency of task 0 runs")
figure.tight_layout()
if not QUICK:
    figure.savefig("brain_saliency_heatmaps.png", dpi=120)

# %%
# The same on the brain, one glass brain per quarter of the run
# -------------------------------------------------------------
# Top 10 % of (window, region) values, shared colour scale per model.
for cell in models:
    windows, bounds = aggregate_time_windows(scaled_mean(saliency[cell][task0]), 4,
                                             return_bounds=True)
    labels = [f"{start * TR:.0f}-{stop * TR:.0f} s" for start, stop in bounds]
    plot_glass_brain_windows(windows, atlas, window_labels=labels,
                             title=f"{cell}: saliency of task 0 runs per time window",
                             output_file=output_file(f"brain_saliency_glass_{cell}.png"))

# %%
# Whole-run summaries for input-cell attention: slices, markers, surface
# ----------------------------------------------------------------------
# Saliency summed over time. Markers show every region; the slices and the
# cortical surface (fsaverage5, shipped with nilearn) show the top 10 %.
# Expect task 1's regions among the top ones too: for a two-task problem the
# *absence* of task 1's response is evidence for task 0.
region_saliency = scaled_mean(saliency["ica_lstm"][task0]).sum(axis=0)
plot_saliency_stat_map(region_saliency, atlas, title="ica_lstm, task 0: summed saliency",
                       output_file=output_file("brain_saliency_stat_map.png"))
plot_saliency_markers(region_saliency, atlas, title="ica_lstm, task 0: region saliency",
                      output_file=output_file("brain_saliency_markers.png"))
plot_saliency_surface(region_saliency, atlas, title="ica_lstm, task 0: cortical saliency",
                      output_file=output_file("brain_saliency_surface.png"))
print("true task 0 regions:", atlas.names[atlas.index_of(info.task_regions[0])].tolist())
top = np.argsort(region_saliency)[::-1][:8]
print("top ica_lstm regions:", atlas.names[top].tolist())
