"""
Calibrating the brain group tests: false positives under the null, recovery of true regions
===========================================================================================

This script measures the numbers quoted in the brain user guide; it is not
run by the documentation build (it took 42 minutes on a busy two-core machine).
Run it with ``python benchmarks/study_brain_null.py``.

Data: :func:`ica_sklearn.brain.make_task_fmri_dataset`, one run per task and
subject, 30 scans (TR 2 s), 30 of the 160 Dosenbach regions kept (the 8 task
regions among them). Null data sets have ``amplitude=0`` (labels carry no
information); signal data sets ``amplitude=2``. The explained model is a
logistic regression on the flattened run, whose contribution ``w * x`` is
exactly its input-times-gradient saliency: it keeps the test of the
statistics fast and its ground truth clear. A last part measures, on the
recurrent classifier, how much of a saliency map is one spatial pattern times
one time course, and where saliency peaks relative to task onsets.
"""

# %%
import time

import numpy as np
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from ica_sklearn.brain import (
    event_locked_saliency,
    label_permutation_test,
    make_task_fmri_dataset,
    rank_one_share,
    sign_flip_test,
    subject_saliency_maps,
)

N_NULL_SIGN_FLIP, N_NULL_LABEL_PERMUTATION, N_SIGNAL = 200, 100, 20


def flatten(X):
    return X.reshape(len(X), -1)


def linear_model():
    return make_pipeline(FunctionTransformer(flatten), LogisticRegression(C=0.05, max_iter=500))


def contribution(model, X, y):
    return model[-1].coef_.reshape(X.shape[1:]) * X


def task_data(amplitude, seed, n_subjects):
    X, y, _, info = make_task_fmri_dataset(
        n_subjects=n_subjects, n_runs=1, n_timesteps=30, n_task_regions=4,
        amplitude=amplitude, placement="early", onset_jitter=0, random_state=seed,
        return_info=True)
    true_ids = np.concatenate(info.task_regions)
    kept = np.sort(np.concatenate([true_ids, np.setdiff1d(info.region_ids, true_ids)[:22]]))
    columns = np.searchsorted(info.region_ids, kept)
    return X[:, :, columns], y, info.subject, kept, set(true_ids.tolist())


def held_out_contrast(amplitude, seed, n_subjects=40):
    X, y, subject, kept, truth = task_data(amplitude, seed, n_subjects)
    train = subject < n_subjects // 2
    model = linear_model().fit(X[train], y[train])
    maps = contribution(model, X[~train], y[~train])
    subject_maps, _, _ = subject_saliency_maps(maps, subject[~train], y=y[~train],
                                               contrast=(1, 0), n_windows=5)
    return subject_maps, kept, truth


def pooled_cv_contrast(seed, n_subjects=20):
    X, y, subject, _, _ = task_data(0.0, seed, n_subjects)
    maps = np.zeros(X.shape)
    for train, test in GroupKFold(5).split(X, y, subject):
        maps[test] = contribution(linear_model().fit(X[train], y[train]), X[test], y[test])
    return subject_saliency_maps(maps, subject, y=y, contrast=(1, 0), n_windows=5)[0]


def rate(hits, n):
    low, high = stats.binomtest(hits, n).proportion_ci(0.95)
    return f"{hits}/{n} = {hits / n:.3f} (95 % CI {low:.3f}-{high:.3f})"


def recovery(found, truth):
    precision = len(found & truth) / len(found) if found else float("nan")
    return precision, len(found & truth) / len(truth)


start = time.time()
# %%
# False positives under the null
# ------------------------------
# A data set "has a false positive" when any of its 5 x 30 cells is declared
# significant at 0.05 (family-wise rate; under the complete null FDR control
# means the same).
hits = {"fwer": 0, "fdr": 0}
for seed in range(N_NULL_SIGN_FLIP):
    maps, _, _ = held_out_contrast(0.0, 1000 + seed)
    result = sign_flip_test(maps, n_permutations=1000, random_state=seed)
    for correction in hits:
        hits[correction] += bool(result.significant(correction).any())
print("sign flip, paired contrast of held-out subjects (20 subjects):")
print(f"  FWER (max-t): {rate(hits['fwer'], N_NULL_SIGN_FLIP)}")
print(f"  FDR (BH)    : {rate(hits['fdr'], N_NULL_SIGN_FLIP)}")

pooled = sum(bool(sign_flip_test(pooled_cv_contrast(2000 + seed), n_permutations=1000,
                                 random_state=seed).significant().any())
             for seed in range(N_NULL_SIGN_FLIP // 4))
print("sign flip on maps pooled over GroupKFold folds (invalid recipe):")
print(f"  FWER (max-t): {rate(pooled, N_NULL_SIGN_FLIP // 4)}")

hits = 0
for seed in range(N_NULL_LABEL_PERMUTATION):
    X, y, subject, _, _ = task_data(0.0, 3000 + seed, 20)
    result = label_permutation_test(linear_model(), X, y, subject,
                                    explain=lambda m, X, y: np.abs(contribution(m, X, y)),
                                    n_permutations=19, n_windows=5, random_state=seed)
    hits += bool(result.significant().any())
print("label permutation, absolute maps, 19 null models (20 subjects):")
print(f"  FWER (max-z): {rate(hits, N_NULL_LABEL_PERMUTATION)}")

# %%
# Recovery of the true regions
# ----------------------------
scores = {"sign flip": [], "label permutation": []}
for seed in range(N_SIGNAL):
    maps, kept, truth = held_out_contrast(2.0, 4000 + seed)
    found = set(kept[sign_flip_test(maps, n_permutations=1000, random_state=seed)
                     .significant().any(axis=0)].tolist())
    scores["sign flip"].append(recovery(found, truth))
    X, y, subject, kept, truth = task_data(2.0, 5000 + seed, 20)
    result = label_permutation_test(linear_model(), X, y, subject,
                                    explain=lambda m, X, y: np.abs(contribution(m, X, y)),
                                    n_permutations=19, n_windows=5, random_state=seed)
    found = set(kept[result.significant().any(axis=0)].tolist())
    scores["label permutation"].append(recovery(found, truth))
for name, values in scores.items():
    precision, recall = np.nanmean(np.array(values), axis=0)
    print(f"{name}: precision {precision:.2f}, recall {recall:.2f} of the 8 true regions "
          f"(mean over {N_SIGNAL} data sets)")

# %%
# What a recurrent model's saliency map holds
# -------------------------------------------
# The input-cell attention LSTM on the 160-region simulation (60 subjects,
# 100 scans, TR 2 s): share of each map that is rank 1, and the delay between a
# block's onset and the saliency peak on the task's regions.
from ica_sklearn import RNNClassifier, SaliencyExplainer  # noqa: E402

X, y, mask, info = make_task_fmri_dataset(n_subjects=60, amplitude=3.0, random_state=0,
                                          onset_jitter=0, return_info=True)
test = info.subject >= 45
model = RNNClassifier(cell="ica_lstm", hidden_size=16, max_epochs=60, lr=5e-3, random_state=0,
                      stop_at_perfect_train_accuracy=False, torch_num_threads=1)
model.fit(X[~test], y[~test])
print(f"ica_lstm test accuracy {model.score(X[test], y[test]):.3f}")
saliency = SaliencyExplainer(model).transform(X[test], y[test])
shares = rank_one_share(saliency)
print(f"rank-1 share of single-run maps: median {np.median(shares):.3f}, "
      f"range {shares.min():.3f}-{shares.max():.3f}; of the mean map "
      f"{rank_one_share(saliency.mean(axis=0)):.3f}")
import pandas as pd  # noqa: E402

rows = []
for sample, run_blocks in enumerate(np.asarray(info.onsets, dtype=object)[test]):
    for onset, duration in run_blocks:
        rows.append({"onset": onset * 2.0, "sample": sample, "duration": duration * 2.0})
events = pd.DataFrame(rows)
epochs, lags, _ = event_locked_saliency(saliency, events, tr=2.0, window=(-4, 40))
task_columns = [np.searchsorted(info.region_ids, info.task_regions[label])
                for label in y[test][events["sample"]]]
on_task = np.stack([epoch[:, columns].mean(axis=1) for epoch, columns in
                    zip(epochs, task_columns)])
profile = np.nanmean(on_task, axis=0)
print(f"block duration {events['duration'].iloc[0]:.0f} s; saliency on the task regions "
      f"peaks {lags[np.nanargmax(profile)]:.0f} s after the onset")
print(f"total time {time.time() - start:.0f} s")
