"""The localisation table of ``ica-sklearn reproduce``: does saliency find the box?

Table 1 scores maps with the paper's weighted Jaccard, which a uniform random
map beats (it rewards diffuse maps).  This second table scores the same maps
of the paper's four models with metrics a random map cannot game: per-sample
ROC AUC and precision-recall area of the saliency against the box, time and
feature localisation, and the AUPR's skill over a random map on the same
data.  Beside them, the same metrics for

- the **baselines** every explanation has to beat, through the same
  explainer: a random map (``method="random"``), the input magnitude
  (``method="input"``) and a transparent **linear reference**
  (:class:`~ica_sklearn.classifier.LinearReferenceClassifier` explained as
  ``w * x`` toward the true class);
- the **recommended** setting for explanation studies:
  :meth:`RNNClassifier.for_explanation
  <ica_sklearn.RNNClassifier.for_explanation>` explained with
  :meth:`SaliencyExplainer.for_explanation
  <ica_sklearn.SaliencyExplainer.for_explanation>`;

and the two sanity checks of Adebayo et al. (2018) for the recommended model
(:func:`~ica_sklearn.explain.model_randomization_check`,
:func:`~ica_sklearn.explain.data_randomization_check`).
"""

import time

import numpy as np
import pandas as pd

from ..classifier import EXPLANATION_PARAMS, LinearReferenceClassifier, RNNClassifier
from ..explain import (
    EXPLANATION_EXPLAINER_PARAMS,
    SaliencyExplainer,
    data_randomization_check,
    model_randomization_check,
)
from ..metrics import evaluate_saliency, skill_over_random
from ._paper import MODEL_NAMES, PAPER_MODELS
from ._runs import box_data, mean_std_text

__all__ = [
    "LOCALIZATION_METRICS",
    "REFERENCE_MODELS",
    "add_aupr_skill",
    "localization_markdown",
    "run_references",
    "sanity_checks",
]

REFERENCE_MODELS = ("random_map", "input_magnitude", "linear_reference", "recommended")
"""The rows the localisation table adds to the paper's four models."""

REFERENCE_NAMES = {
    "random_map": "random map (no model)",
    "input_magnitude": "|X| (no model)",
    "linear_reference": "linear reference (w·x)",
    "recommended": "recommended (ica_lstm, EXPLANATION_PARAMS, evidence-gated gradient)",
}
"""Display names of the reference rows."""

LOCALIZATION_METRICS = (
    ("saliency_auc", "AUC", 3),
    ("area_under_precision_recall", "AUPR", 3),
    ("aupr_skill", "AUPR skill", 3),
    ("time_localization", "time loc", 3),
    ("feature_localization", "feature loc", 3),
    ("weighted_jaccard", "WJac", 3),
    ("accuracy", "Acc %", 1),
)
"""Columns of the localisation table: (runs column, header, digits)."""


def _recommended_classifier(config, seed, device):
    """The recommended classifier, with the run's epoch budget when it is smaller."""
    max_epochs = min(EXPLANATION_PARAMS["max_epochs"], config["max_epochs"])
    return RNNClassifier.for_explanation(max_epochs=max_epochs, random_state=seed, device=device)


def run_references(layout, seed, config, device="auto", recommended=True):
    """Score the baselines (and the recommended setting) on one layout and seed.

    The data are those of :func:`~ica_sklearn.reproduce.run_one` for the
    same ``layout``, ``seed`` and ``config``, so the rows compare with the
    paper's models run by it.

    Parameters
    ----------
    layout : str
    seed : int
    config : dict
        Data sizes and ``max_epochs``, as for ``run_one``.
    device : str, default="auto"
    recommended : bool, default=True
        Also train and explain the recommended setting (the expensive row).

    Returns
    -------
    results : dict
        ``name -> (scores, info, model)`` for every name of
        :data:`REFERENCE_MODELS` that was run: the per-sample metrics,
        ``accuracy`` (NaN for the model-free maps) and ``fit_seconds``, and
        the fitted classifier (None for the model-free maps), e.g. for
        :func:`sanity_checks`.

    Examples
    --------
    >>> from ica_sklearn.reproduce import QUICK_CONFIG
    >>> from ica_sklearn.reproduce._localization import run_references
    >>> config = dict(QUICK_CONFIG, n_train=60, n_test=20)
    >>> results = run_references("earlier_box", 0, config, recommended=False)
    >>> sorted(results)
    ['input_magnitude', 'linear_reference', 'random_map']
    >>> scores, info, model = results["random_map"]
    >>> round(float(scores["saliency_auc"].mean()), 1)
    0.5
    """
    X_train, X_test, y_train, y_test, _, mask_test = box_data(layout, seed, config)
    start = time.perf_counter()
    linear = LinearReferenceClassifier().fit(X_train, y_train)
    linear_seconds = time.perf_counter() - start
    explainers = {
        "random_map": (SaliencyExplainer(linear, "random", random_state=seed), None, 0.0),
        "input_magnitude": (SaliencyExplainer(linear, "input"), None, 0.0),
        "linear_reference": (
            SaliencyExplainer(linear, "input_x_gradient", output="logit", absolute=False),
            linear,
            linear_seconds,
        ),
    }
    if recommended:
        start = time.perf_counter()
        clf = _recommended_classifier(config, seed, device).fit(X_train, y_train)
        explainers["recommended"] = (SaliencyExplainer.for_explanation(clf), clf,
                                     time.perf_counter() - start)
    results = {}
    for name, (explainer, model, fit_seconds) in explainers.items():
        scores = evaluate_saliency(mask_test, explainer.transform(X_test, y_test))
        accuracy = np.nan if model is None else 100.0 * float(np.mean(model.predict(X_test) == y_test))
        results[name] = (scores, {"accuracy": accuracy, "fit_seconds": fit_seconds}, model)
    return results


def add_aupr_skill(runs):
    """Add ``aupr_skill``: each run's AUPR against the random map's of the same data.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per (layout, model, seed) with ``area_under_precision_recall``,
        including ``model == "random_map"`` rows.

    Returns
    -------
    runs : pandas.DataFrame
        A copy with ``aupr_skill`` (:func:`~ica_sklearn.metrics.skill_over_random`
        of the mean AUPRs; NaN where the random map of that layout and seed is
        missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from ica_sklearn.reproduce._localization import add_aupr_skill
    >>> runs = pd.DataFrame({"layout": ["a", "a"], "seed": [0, 0],
    ...     "model": ["random_map", "lstm"], "area_under_precision_recall": [0.2, 0.6]})
    >>> add_aupr_skill(runs)["aupr_skill"].round(3).tolist()
    [0.0, 0.5]
    """
    random_rows = runs[runs["model"] == "random_map"]
    random_aupr = random_rows.set_index(["layout", "seed"])["area_under_precision_recall"]
    keys = pd.MultiIndex.from_frame(runs[["layout", "seed"]])
    baseline = random_aupr.reindex(keys).to_numpy()
    return runs.assign(
        aupr_skill=skill_over_random(runs["area_under_precision_recall"].to_numpy(), baseline)
    )


def sanity_checks(layout, seed, config, device="auto", n_explain=100, classifier=None):
    """The two sanity checks of Adebayo et al. (2018) for the recommended setting.

    Parameters
    ----------
    layout : str
    seed : int
    config : dict
        Data sizes and ``max_epochs``, as for ``run_one``.
    device : str, default="auto"
    n_explain : int, default=100
        Test samples whose maps are compared.
    classifier : RNNClassifier or None, default=None
        The recommended setting already fitted on this layout and seed (as
        :func:`run_references` returns it), so it is not trained again;
        None trains it.

    Returns
    -------
    table : pandas.DataFrame
        One row per check step: ``check`` ("model randomization: <layers>"
        or "data randomization"), mean ``spearman`` and ``ssim`` with the
        trained model's maps.  Maps that depend on what the model learned
        fall towards 0.

    Examples
    --------
    >>> from ica_sklearn.reproduce import QUICK_CONFIG
    >>> from ica_sklearn.reproduce._localization import sanity_checks
    >>> config = dict(QUICK_CONFIG, n_train=40, n_test=10, max_epochs=2)
    >>> sanity_checks("earlier_box", 0, config)["check"].iloc[-1]
    'data randomization'
    """
    X_train, X_test, y_train, y_test, _, _ = box_data(layout, seed, config)
    X_explain, y_explain = X_test[:n_explain], y_test[:n_explain]
    clf = classifier
    if clf is None:
        clf = _recommended_classifier(config, seed, device).fit(X_train, y_train)
    explainer_params = dict(EXPLANATION_EXPLAINER_PARAMS)
    model = model_randomization_check(clf, X_explain, y_explain, random_state=seed, **explainer_params)
    model = model.rename(columns={"randomized": "check"})
    model["check"] = "model randomization: " + model["check"]
    data = data_randomization_check(clf, X_train, y_train, X_explain=X_explain, y_explain=y_explain,
                                    random_state=seed, **explainer_params)
    data.insert(0, "check", "data randomization")
    return pd.concat([model, data], ignore_index=True)


def localization_markdown(runs):
    """Markdown table of the localisation metrics, one row per layout and model.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per (layout, model, seed) with the mean of each metric, for
        the paper's models and the reference rows, as ``reproduce`` writes
        to ``localization_runs.csv``.

    Returns
    -------
    text : str

    Examples
    --------
    >>> import pandas as pd
    >>> from ica_sklearn.reproduce._localization import localization_markdown
    >>> runs = pd.DataFrame({"layout": ["earlier_box"], "model": ["random_map"], "seed": [0],
    ...     "saliency_auc": [0.5], "area_under_precision_recall": [0.19], "aupr_skill": [0.0],
    ...     "time_localization": [0.5], "feature_localization": [0.5],
    ...     "weighted_jaccard": [0.19], "accuracy": [float("nan")]})
    >>> print(localization_markdown(runs).splitlines()[2])
    | earlier_box | random map (no model) | 0.500 | 0.190 | 0.000 | 0.500 | 0.500 | 0.190 | - |
    """
    header = ["layout", "model"] + [short for _, short, _ in LOCALIZATION_METRICS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    order = {name: i for i, name in enumerate((*PAPER_MODELS, *REFERENCE_MODELS))}
    runs = runs.assign(_order=runs["model"].map(order).fillna(len(order)))
    for layout, in_layout in runs.groupby("layout", sort=False):
        for model, group in in_layout.sort_values("_order", kind="stable").groupby("model", sort=False):
            name = REFERENCE_NAMES.get(model, MODEL_NAMES.get(model, model))
            cells = [layout, name] + [
                mean_std_text(group[column], digits) if column in group else "-"
                for column, _, digits in LOCALIZATION_METRICS
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
