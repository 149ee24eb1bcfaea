"""The ``ica-sklearn`` command (also ``python -m ica_sklearn``).

Sub-commands: ``reproduce`` (the paper's Table 1 end to end), and the steps
it chains, with files in between: ``make-data`` (``.npz`` with X, y, mask),
``train`` (``.npz`` -> pickled model), ``explain`` (model + ``.npz`` ->
saliency ``.npz``), ``evaluate`` (saliency + mask -> CSV) and ``plot``
(saliency + data -> PNG).
"""

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

from .explain._method_table import METHODS
from .nn._cells import CELL_TYPES
from .reproduce._paper import PAPER_LAYOUTS, PAPER_MODELS

__all__ = ["main", "build_parser"]


# ---------------------------------------------------------------- commands
def _set_threads(threads):
    if threads:
        import torch

        torch.set_num_threads(threads)


def _reproduce(args):
    from .reproduce import reproduce_table1, table1_markdown

    config = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    if args.validation_fraction is not None:
        config["validation_fraction"] = args.validation_fraction
    if args.out is None:
        args.out = "results-quick" if args.quick else "results"
    reproduce_table1(
        args.layouts, args.models, args.seeds, args.quick, args.out, args.device,
        progress=not args.no_progress, config=config, paper_stopping=args.paper_stopping,
    )
    import pandas as pd

    print(table1_markdown(pd.read_csv(Path(args.out) / "runs.csv")))
    print(f"\nWrote {args.out}/table1.csv, table1.md, runs.csv, per_sample_metrics.csv, figures/*.png")


def _make_data(args):
    from .datasets import make_box_train_test

    X_train, X_test, y_train, y_test, mask_train, mask_test = make_box_train_test(
        args.layout, args.n_train, args.n_test, n_timesteps=args.timesteps,
        n_features=args.features, random_state=args.seed,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "train.npz", X=X_train, y=y_train, mask=mask_train)
    np.savez_compressed(out / "test.npz", X=X_test, y=y_test, mask=mask_test)
    print(f"Wrote {out / 'train.npz'} {X_train.shape} and {out / 'test.npz'} {X_test.shape}")


def _train(args):
    from .classifier import RNNClassifier

    data = np.load(args.data)
    clf = RNNClassifier(
        cell=args.model, max_epochs=args.max_epochs, device=args.device,
        validation_fraction=args.validation_fraction, random_state=args.seed,
    ).fit(data["X"], data["y"])
    Path(args.out).write_bytes(pickle.dumps(clf))
    print(f"Trained {args.model} for {clf.n_epochs_} epochs; wrote {args.out}")


def _explain(args):
    from .explain import SaliencyExplainer

    clf = pickle.loads(Path(args.model).read_bytes())
    data = np.load(args.data)
    saliency = SaliencyExplainer(clf, args.method, random_state=0).transform(data["X"], data["y"])
    np.savez_compressed(args.out, saliency=saliency, y=data["y"], predicted=clf.predict(data["X"]))
    print(f"Wrote {args.out} {saliency.shape}")


def _evaluate(args):
    from .metrics import evaluate_saliency

    explained = np.load(args.saliency)
    scores = evaluate_saliency(np.load(args.data)["mask"], explained["saliency"])
    if "predicted" in explained:
        scores["correct"] = explained["predicted"] == explained["y"]
    scores.to_csv(args.out, index_label="sample")
    print(scores.mean().to_frame("mean").T.to_string(float_format="%.3f"))


def _plot(args):
    import matplotlib

    matplotlib.use("Agg")
    from .plotting import mean_saliency_maps, plot_saliency_maps, plot_saliency_over_time, saliency_over_time

    saliency = np.load(args.saliency)["saliency"]
    data = np.load(args.data)
    mask = data["mask"].mean(axis=0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    maps_figure = plot_saliency_maps({args.label: mean_saliency_maps(saliency, data["y"])}, mask,
                                     title=f"Mean saliency: {args.label}")
    curve_figure = plot_saliency_over_time({args.label: saliency_over_time(saliency)}, mask)
    maps_figure.savefig(out / "saliency_maps.png", dpi=90)
    curve_figure.savefig(out / "saliency_over_time.png", dpi=90)
    print(f"Wrote {out / 'saliency_maps.png'} and {out / 'saliency_over_time.png'}")


# ------------------------------------------------------------------ parser
def _add_common(parser):
    parser.add_argument("--device", default="auto", help="torch device; 'auto' picks cuda if available")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: the models are small, and extra threads "
                        "gain little on an idle CPU but slow runs down when the cores are shared; "
                        "0 keeps torch's choice)")


def _add_reproduce(subparsers):
    parser = subparsers.add_parser(
        "reproduce", help="regenerate Table 1 of Ismail et al. (2019) and its figures",
        description="For each layout x model x seed: generate box data (1000/300 samples, 100 x 100), "
        "train with the paper's hyper-parameters, compute gradient saliency of the true class on the "
        "test set and score it (WJac, Euc, Acc, AUC, ...). Writes table1.csv, table1.md (ours beside "
        "the paper's), runs.csv, per_sample_metrics.csv and figures/*.png to --out.")
    parser.add_argument("--layouts", nargs="+", choices=PAPER_LAYOUTS, default=None,
                        help="box layouts (default: all six)")
    parser.add_argument("--models", nargs="+", choices=CELL_TYPES, default=list(PAPER_MODELS),
                        help="RNNClassifier cells")
    parser.add_argument("--seeds", type=int, default=1, help="runs per layout and model (mean ± std)")
    parser.add_argument("--quick", action="store_true", help="small data and few epochs: a smoke run")
    parser.add_argument("--out", default=None,
                        help="output folder (default: results, or results-quick with --quick)")
    parser.add_argument("--max-epochs", type=int, default=None, help="override the epoch limit")
    parser.add_argument("--validation-fraction", type=float, default=None,
                        help="held-out fraction for early stopping on validation loss (default 0.1)")
    parser.add_argument("--paper-stopping", action="store_true",
                        help="the paper's rule only: no validation split, up to 400 epochs (slow)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_common(parser)
    parser.set_defaults(func=_reproduce)


def _add_steps(subparsers):
    parser = subparsers.add_parser("make-data", help="write box data: OUT/train.npz, OUT/test.npz",
                                   description="Standardised train/test box data, each .npz with X, y, mask.")
    parser.add_argument("--layout", choices=PAPER_LAYOUTS, default="earlier_box")
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--n-test", type=int, default=300)
    parser.add_argument("--timesteps", type=int, default=100)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="data", help="output folder")
    parser.set_defaults(func=_make_data)

    parser = subparsers.add_parser("train", help="train a model on an .npz (X, y); pickle it",
                                   description="Fit RNNClassifier (paper defaults) and pickle it.")
    parser.add_argument("data", help=".npz with X and y")
    parser.add_argument("--model", choices=CELL_TYPES, default="ica_lstm", help="RNNClassifier cell")
    parser.add_argument("--max-epochs", type=int, default=400)
    parser.add_argument("--validation-fraction", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="model.pkl")
    _add_common(parser)
    parser.set_defaults(func=_train)

    parser = subparsers.add_parser("explain", help="saliency of a pickled model on an .npz",
                                   description="Saliency maps w.r.t. the true class; writes saliency, y, predicted.")
    parser.add_argument("model", help="pickled model (from 'train')")
    parser.add_argument("data", help=".npz with X and y")
    parser.add_argument("--method", choices=sorted(METHODS), default="gradient")
    parser.add_argument("--out", default="saliency.npz")
    _add_common(parser)
    parser.set_defaults(func=_explain)

    parser = subparsers.add_parser("evaluate", help="score saliency against the box mask; write CSV",
                                   description="Per-sample box metrics (WJac, Euc, top-K Jaccard, AUC, ...).")
    parser.add_argument("saliency", help=".npz from 'explain'")
    parser.add_argument("data", help=".npz with the mask")
    parser.add_argument("--out", default="metrics.csv")
    parser.set_defaults(func=_evaluate)

    parser = subparsers.add_parser("plot", help="mean saliency heatmaps and time curve as PNGs",
                                   description="Heatmap per class (box outlined) and saliency per time step.")
    parser.add_argument("saliency", help=".npz from 'explain'")
    parser.add_argument("data", help=".npz with y and mask")
    parser.add_argument("--label", default="model", help="name shown in titles and legend")
    parser.add_argument("--out", default="figures", help="output folder")
    parser.set_defaults(func=_plot)


def build_parser():
    """The argument parser of ``ica-sklearn``.

    Returns
    -------
    parser : argparse.ArgumentParser

    Examples
    --------
    >>> from ica_sklearn.cli import build_parser
    >>> args = build_parser().parse_args(["reproduce", "--quick", "--layouts", "earlier_box"])
    >>> args.quick, args.layouts
    (True, ['earlier_box'])
    """
    parser = argparse.ArgumentParser(
        prog="ica-sklearn", description="Input-cell attention RNNs and their saliency (Ismail et al. 2019).")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_reproduce(subparsers)
    _add_steps(subparsers)
    return parser


def main(argv=None):
    """Run ``ica-sklearn`` with ``argv`` (default: ``sys.argv[1:]``).

    Parameters
    ----------
    argv : list of str or None

    Returns
    -------
    status : int
        0 on success.

    Examples
    --------
    >>> from ica_sklearn.cli import main
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     main(["make-data", "--n-train", "10", "--n-test", "4", "--timesteps", "6",
    ...           "--features", "3", "--out", folder])  # doctest: +ELLIPSIS
    Wrote .../train.npz (10, 6, 3) and .../test.npz (4, 6, 3)
    0
    """
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    _set_threads(getattr(args, "threads", None))
    args.func(args)
    return 0
