"""What a training epoch of ``RNNClassifier.fit`` costs beyond its steps.

Setting (the paper's size): 1000 training samples of 100 steps x 100
features (the earlier box), ``ica_lstm`` with hidden size 5, batch 50 (20
batches an epoch), the stop rule off, 3 epochs.  Timed in the same run,
interleaved:

- **fit**: ``RNNClassifier(...).fit(X, y)``, the whole call divided by the
  number of epochs (input checks, building the net, data loading, callbacks
  and history included: what a user waits for);
- **fit, per-sample loading**: the same fit with the data loading the
  classifier had before issue 18: skorch's ``Dataset`` indexed sample by
  sample and torch's default collate stacking each batch (the net is
  given a ``collate_fn``, which makes it build torch's loader, and skorch's
  dataset class).  Same batches, same results, bit for bit
  (``tests/classifier/test_data_loading.py``);
- **data loading alone**: fetching every batch of an epoch through the
  net's loader, ours and per-sample (the part issue 18 changed);
- **bare steps**: the same module (fresh weights) trained on the same number
  of batches, cut into tensors beforehand, by a plain loop of forward +
  cross-entropy + backward + fused Adam step, nothing else.

The ratios fit / bare steps are the training loop's overhead factors (1
would be no overhead).  Each time is the best of ``--repeats`` runs.

Run::

    .venv/bin/python benchmarks/bench_epoch_overhead.py [--threads 1] [--repeats 5] [--clock cpu]

``--clock cpu`` times by the process's CPU time instead of the wall clock:
with one thread that is the work itself, less disturbed by other jobs
taking the core away.
"""

import argparse
import time

import numpy as np
import torch

from ica_sklearn import RNNClassifier
from ica_sklearn.classifier import _net
from ica_sklearn.classifier._net import BatchIndexedDataset, net_inputs
from ica_sklearn.nn import RecurrentClassifierModule
from ica_sklearn.datasets import make_box_train_test
from _reference_loader import PerSampleNet

N_EPOCHS = 3
PARAMS = dict(
    cell="ica_lstm",
    hidden_size=5,
    batch_size=50,
    max_epochs=N_EPOCHS,
    stop_at_perfect_train_accuracy=False,
    random_state=0,
)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def timed_fit(X, y, threads, net_class=_net.ClassifierNet):
    original, _net.ClassifierNet = _net.ClassifierNet, net_class
    try:
        clf = RNNClassifier(**PARAMS, torch_num_threads=threads)
        start = clock()
        clf.fit(X, y)
        return (clock() - start) / clf.n_epochs_, clf
    finally:
        _net.ClassifierNet = original


def timed_loading(X, y, net_class):
    """Seconds per epoch to fetch every training batch through the net's loader."""
    net = net_class(
        RecurrentClassifierModule,
        batch_size=PARAMS["batch_size"],
        iterator_train__shuffle=True,
        dataset=BatchIndexedDataset,
    )
    dataset = net.get_dataset(net_inputs(X, np.full(len(X), X.shape[1])), y)
    start = clock()
    for _ in range(N_EPOCHS):
        for _batch in net.get_iterator(dataset, training=True):
            pass
    return (clock() - start) / N_EPOCHS


def bare_batches(X, y, seed, batch_size):
    """Batches of N_EPOCHS shuffled passes over (X, y), as tensors, made beforehand."""
    generator = torch.Generator().manual_seed(seed)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    lengths = torch.full((len(X),), X.shape[1], dtype=torch.long)
    batches = []
    for _ in range(N_EPOCHS):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            index = order[start : start + batch_size]
            batches.append((X[index], lengths[index], y[index]))
    return batches


def timed_bare_steps(module, batches):
    optimizer = torch.optim.Adam(module.parameters(), lr=PARAMS.get("lr", 1e-3), fused=True)
    criterion = torch.nn.CrossEntropyLoss()
    module.train()
    start = clock()
    for X, lengths, y in batches:
        optimizer.zero_grad()
        loss = criterion(module(X, lengths), y)
        loss.backward()
        optimizer.step()
    return clock() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    torch.set_num_threads(args.threads)

    X, _, y, _, _, _ = make_box_train_test(n_train=1000, n_test=2, random_state=0)
    times = {"fit": [], "fit, per-sample loading": [], "bare steps": []}
    loading = {"ours": [], "per-sample": []}
    for repeat in range(args.repeats):
        fit_time, clf = timed_fit(X, y, args.threads)
        times["fit"].append(fit_time)
        times["fit, per-sample loading"].append(timed_fit(X, y, args.threads, PerSampleNet)[0])
        # The fitted module's architecture with fresh weights: the cost of a
        # step does not depend on the weights.
        module = type(clf.module_)(**clf.net_.get_params_for("module"))
        batches = bare_batches(X, y, repeat, PARAMS["batch_size"])
        times["bare steps"].append(timed_bare_steps(module, batches) / N_EPOCHS)
        loading["ours"].append(timed_loading(X, y, _net.ClassifierNet))
        loading["per-sample"].append(timed_loading(X, y, PerSampleNet))
    best = {name: min(values) for name, values in times.items()}
    steps = 1000 // PARAMS["batch_size"]
    print(f"1000 samples, 100 x 100, ica_lstm hidden 5, batch 50 ({steps} steps an epoch), "
          f"{N_EPOCHS} epochs, {args.threads} thread(s), {args.clock} clock, "
          f"best of {args.repeats}")
    print(f"{'':<25} {'s per epoch':>12} {'/ bare steps':>13} {'ms per batch over bare':>23}")
    for name, seconds in best.items():
        overhead = 1000 * (seconds - best["bare steps"]) / steps
        ratio = seconds / best["bare steps"]
        print(f"{name:<25} {seconds:>12.3f} {ratio:>13.2f} {overhead:>23.2f}")
    ours, per_sample = min(loading["ours"]), min(loading["per-sample"])
    print(f"data loading alone, ms per batch: ours {1000 * ours / steps:.2f}, per-sample "
          f"{1000 * per_sample / steps:.2f} ({per_sample / ours:.1f}x)")


if __name__ == "__main__":
    main()
