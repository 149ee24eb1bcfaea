"""The ``ica-sklearn`` command (also ``python -m ica_sklearn``).

Sub-commands: ``reproduce`` (the paper's Table 1 end to end), and the steps
it chains, with files in between: ``make-data`` (``.npz`` with X, y, mask),
``train`` (``.npz`` -> model file written by ``RNNClassifier.save``),
``explain`` (model + ``.npz`` -> saliency ``.npz``), ``evaluate`` (saliency +
mask -> CSV) and ``plot`` (saliency + data -> PNG).

Every argument is checked before any work (names as choices, counts >= 1,
fractions in (0, 1), the device, input files, and that outputs can be
written); a problem prints one line (usage errors: argparse's usage and one
line) and exits with status 2.  An error met later (bad data in an input
file, a failed write) prints one line and exits with status 1; Ctrl-C exits
with status 130.  Models are read and written only in the safe format of
``RNNClassifier.save``/``load`` (never pickled), and every output file is
written atomically.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from .explain._method_table import METHODS
from .nn._cells import CELL_TYPES
from .reproduce._paper import PAPER_LAYOUTS, PAPER_MODELS
from .utils._files import atomic_write, atomic_write_text, check_output_dir, check_output_file

__all__ = ["main", "build_parser"]


# ---------------------------------------------------------------- commands
def _set_threads(threads):
    if threads:
        import torch

        torch.set_num_threads(threads)


def _reproduce(args):
    from .reproduce import reproduce_table1

    config = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    if args.validation_fraction is not None:
        config["validation_fraction"] = args.validation_fraction
    reproduce_table1(
        args.layouts, args.models, args.seeds, args.quick, args.out, args.device,
        progress=not args.no_progress, config=config, paper_stopping=args.paper_stopping,
        localization=not args.no_localization,
    )
    print((Path(args.out) / "table1.md").read_text(encoding="utf-8"))
    written = "table1.csv, table1.md, runs.csv, per_sample_metrics.csv, figures/*.png"
    if not args.no_localization:
        print("\n" + (Path(args.out) / "localization.md").read_text(encoding="utf-8"))
        written += ", localization.md, localization_runs.csv, sanity_checks.csv"
    print(f"\nWrote {args.out}/{written}")


def _savez(path, **arrays):
    atomic_write(path, lambda handle: np.savez_compressed(handle, **arrays), what="output")


def _load_npz(path, keys, optional=()):
    """The arrays ``keys`` (and those of ``optional`` it has) of an .npz file,
    with errors that name the file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [key for key in keys if key not in data.files]
            if missing:
                raise ValueError(
                    f"{path} lacks the array(s) {missing} (it has {sorted(data.files)}); "
                    "pass a file written by 'make-data' or 'explain'."
                )
            return {key: data[key] for key in [*keys, *optional] if key in data.files}
    except (OSError, EOFError) as error:
        raise ValueError(f"{path} is not a readable .npz file ({error}).") from None


def _make_data(args):
    from .datasets import make_box_train_test

    X_train, X_test, y_train, y_test, mask_train, mask_test = make_box_train_test(
        args.layout, args.n_train, args.n_test, n_timesteps=args.timesteps,
        n_features=args.features, random_state=args.seed,
    )
    out = check_output_dir(args.out)
    _savez(out / "train.npz", X=X_train, y=y_train, mask=mask_train)
    _savez(out / "test.npz", X=X_test, y=y_test, mask=mask_test)
    print(f"Wrote {out / 'train.npz'} {X_train.shape} and {out / 'test.npz'} {X_test.shape}")


def _train(args):
    from .classifier import RNNClassifier

    data = _load_npz(args.data, ["X", "y"])
    clf = RNNClassifier(
        cell=args.model, max_epochs=args.max_epochs, device=args.device,
        validation_fraction=args.validation_fraction, random_state=args.seed,
    ).fit(data["X"], data["y"])
    clf.save(args.out)
    print(f"Trained {args.model} for {clf.n_epochs_} epochs; wrote {args.out}")


def _explain(args):
    from .explain import SaliencyExplainer

    from .classifier import RNNClassifier

    clf = RNNClassifier.load(args.model, device=None if args.device == "auto" else args.device)
    data = _load_npz(args.data, ["X", "y"])
    saliency = SaliencyExplainer(clf, args.method, random_state=0).transform(data["X"], data["y"])
    _savez(args.out, saliency=saliency, y=data["y"], predicted=clf.predict(data["X"]))
    print(f"Wrote {args.out} {saliency.shape}")


def _evaluate(args):
    from .metrics import evaluate_saliency

    explained = _load_npz(args.saliency, ["saliency"], optional=["y", "predicted"])
    scores = evaluate_saliency(_load_npz(args.data, ["mask"])["mask"], explained["saliency"])
    if "predicted" in explained and "y" in explained:
        scores["correct"] = explained["predicted"] == explained["y"]
    atomic_write_text(args.out, scores.to_csv(index_label="sample"), what="output")
    print(scores.mean().to_frame("mean").T.to_string(float_format="%.3f"))


def _plot(args):
    import matplotlib

    matplotlib.use("Agg")
    from .plotting import mean_saliency_maps, plot_saliency_maps, plot_saliency_over_time, saliency_over_time

    saliency = _load_npz(args.saliency, ["saliency"])["saliency"]
    data = _load_npz(args.data, ["y", "mask"])
    mask = data["mask"].mean(axis=0)
    out = check_output_dir(args.out)
    maps_figure = plot_saliency_maps({args.label: mean_saliency_maps(saliency, data["y"])}, mask,
                                     title=f"Mean saliency: {args.label}")
    curve_figure = plot_saliency_over_time({args.label: saliency_over_time(saliency)}, mask)
    for name, figure in (("saliency_maps", maps_figure), ("saliency_over_time", curve_figure)):
        atomic_write(out / f"{name}.png", lambda handle: figure.savefig(handle, format="png", dpi=90),
                     what="figure")
    print(f"Wrote {out / 'saliency_maps.png'} and {out / 'saliency_over_time.png'}")


# ------------------------------------------------------------------ parser
def _integer(text, minimum):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def _count(text):
    """An integer >= 1."""
    return _integer(text, 1)


def _non_negative(text):
    return _integer(text, 0)


def _fraction(text):
    """A float strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 1, got {text}")
    return value


def _add_common(parser):
    parser.add_argument("--device", default="auto", help="torch device; 'auto' picks cuda if available")
    parser.add_argument("--threads", type=_non_negative, default=1,
                        help="torch CPU threads (default 1: the models are small, and extra threads "
                        "gain little on an idle CPU but slow runs down when the cores are shared; "
                        "0 keeps torch's choice)")


def _add_reproduce(subparsers):
    parser = subparsers.add_parser(
        "reproduce", help="regenerate Table 1 of Ismail et al. (2019) and its figures",
        description="For each layout x model x seed: generate box data (1000/300 samples, 100 x 100), "
        "train with the paper's hyper-parameters, compute gradient saliency of the true class on the "
        "test set and score it (WJac, Euc, Acc, AUC, ...). Writes table1.csv, table1.md (ours beside "
        "the paper's), runs.csv, per_sample_metrics.csv and figures/*.png to --out. Then, unless "
        "--no-localization: the same maps scored with metrics a random map cannot game (AUC, AUPR, time "
        "and feature localisation) beside a random map, |X|, a linear reference and the recommended "
        "setting for explanations, plus its sanity checks (localization.md).")
    parser.add_argument("--layouts", nargs="+", choices=PAPER_LAYOUTS, default=None,
                        help="box layouts (default: all six)")
    parser.add_argument("--models", nargs="+", choices=CELL_TYPES, default=list(PAPER_MODELS),
                        help="RNNClassifier cells")
    parser.add_argument("--seeds", type=_count, default=1, help="runs per layout and model (mean ± std)")
    parser.add_argument("--quick", action="store_true", help="small data and few epochs: a smoke run")
    parser.add_argument("--out", default=None,
                        help="output folder (default: results, or results-quick with --quick); the "
                        "tables are rewritten after every run, so an interrupted run keeps what finished")
    parser.add_argument("--max-epochs", type=_count, default=None, help="override the epoch limit")
    parser.add_argument("--validation-fraction", type=_fraction, default=None,
                        help="held-out fraction for early stopping on validation loss (default 0.1)")
    parser.add_argument("--paper-stopping", action="store_true",
                        help="the paper's rule only: no validation split, up to 400 epochs (slow)")
    parser.add_argument("--no-localization", action="store_true",
                        help="skip the localisation table (baselines, recommended setting, sanity "
                        "checks); about a third of the full run's time")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_common(parser)
    parser.set_defaults(func=_reproduce)


def _add_steps(subparsers):
    parser = subparsers.add_parser("make-data", help="write box data: OUT/train.npz, OUT/test.npz",
                                   description="Standardised train/test box data, each .npz with X, y, mask.")
    parser.add_argument("--layout", choices=PAPER_LAYOUTS, default="earlier_box")
    parser.add_argument("--n-train", type=_count, default=1000)
    parser.add_argument("--n-test", type=_count, default=300)
    parser.add_argument("--timesteps", type=_count, default=100)
    parser.add_argument("--features", type=_count, default=100)
    parser.add_argument("--seed", type=_non_negative, default=0)
    parser.add_argument("--out", default="data", help="output folder")
    parser.set_defaults(func=_make_data)

    parser = subparsers.add_parser("train", help="train a model on an .npz (X, y); save it",
                                   description="Fit RNNClassifier (paper defaults) and write it with "
                                   "RNNClassifier.save (a safe format: loading runs no code).")
    parser.add_argument("data", help=".npz with X and y")
    parser.add_argument("--model", choices=CELL_TYPES, default="ica_lstm", help="RNNClassifier cell")
    parser.add_argument("--max-epochs", type=_count, default=400)
    parser.add_argument("--validation-fraction", type=_fraction, default=None)
    parser.add_argument("--seed", type=_non_negative, default=0)
    parser.add_argument("--out", default="model.pt", help="model file (default: model.pt)")
    _add_common(parser)
    parser.set_defaults(func=_train)

    parser = subparsers.add_parser("explain", help="saliency of a saved model on an .npz",
                                   description="Saliency maps w.r.t. the true class; writes saliency, y, predicted.")
    parser.add_argument("model", help="model file written by 'train' (RNNClassifier.save)")
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


#: For each command: its input-file arguments, output-file and output-folder arguments.
_PATHS = {
    "reproduce": ((), (), ("out",)),
    "make-data": ((), (), ("out",)),
    "train": (("data",), ("out",), ()),
    "explain": (("model", "data"), ("out",), ()),
    "evaluate": (("saliency", "data"), ("out",), ()),
    "plot": (("saliency", "data"), (), ("out",)),
}


def _check_arguments(args):
    """The problem with ``args`` that argparse cannot see (paths, device), or None."""
    if args.command == "reproduce" and args.out is None:
        args.out = "results-quick" if args.quick else "results"
    inputs, output_files, output_folders = _PATHS[args.command]
    for name in inputs:
        path = Path(getattr(args, name))
        if not path.is_file():
            return f"argument {name}: {os.fspath(path)!r} is not a file"
    try:
        for name in output_files:
            check_output_file(getattr(args, name), what=f"--{name} file")
        for name in output_folders:
            check_output_dir(getattr(args, name), what=f"--{name} folder")
        if hasattr(args, "device"):
            from .utils._torch import resolve_device

            resolve_device(args.device)
    except (OSError, ValueError) as error:
        return str(error)
    return None


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
        0 on success, 1 after an error met while working (one line on
        stderr), 130 after Ctrl-C.  Invalid arguments exit with status 2
        (``SystemExit``) before any work.

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
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    problem = _check_arguments(args)
    if problem is not None:
        parser.error(f"{args.command}: {problem}")
    _set_threads(getattr(args, "threads", None))
    try:
        args.func(args)
    except KeyboardInterrupt:
        kept = f"; the runs that finished are in {args.out}" if args.command == "reproduce" else ""
        print(f"ica-sklearn {args.command}: interrupted{kept}", file=sys.stderr)
        return 130
    except (OSError, ValueError) as error:
        message = " ".join(str(error).split())
        print(f"ica-sklearn {args.command}: error: {message}", file=sys.stderr)
        return 1
    return 0
