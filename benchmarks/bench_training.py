"""One training step of the input-cell attention LSTM, against the original
code's way and against a plain LSTM.

A training step is forward + cross-entropy loss + backward + Adam step on one
batch (fused Adam, as ``RNNClassifier`` uses, for every model).  Timed, in the same run:

- ``ica_lstm`` (ours): :class:`ica_sklearn.nn.RecurrentClassifierModule`
  (attention summaries for all steps at once in row-blocked triangular
  products, averaging the LSTM's gate inputs ``X W_ih^T`` rather than the
  features; the fused ``nn.LSTM`` kernel in float32, the hand-written
  recurrence of ``ica_sklearn.nn._float64_lstm`` in float64);
- reference: a per-step Python loop over time that recomputes the attention
  scores of the whole prefix at every step, in float64, as the original code
  does (:class:`BatchedReference`, the batched form of
  ``_reference_cell.ReferenceInputCellAttentionLSTM``, with the same weights);
- ``lstm``: the plain LSTM module, float32.

The reference costs O(T^2) and its autograd graph holds every prefix, so at
large sizes it is timed on ``--reference-batch`` of the batch's samples and
scaled linearly to the full batch (the printed table says where).  Scaling by
samples *favours* the reference slightly: Python overhead per step is then
paid for fewer samples and counted again for each share.

The script also checks that no tensor of ``batch x T x T x r`` elements is
created: a ``TorchDispatchMode`` sees the output of every aten operation of
the forward and backward pass of ``ica_lstm`` and records the largest.

Run::

    cd benchmarks && ../.venv/bin/python bench_training.py --threads 1

``--clock cpu`` times each step by the process's CPU time instead of the wall
clock: with one thread that is the step's own compute, unaffected by other
jobs taking the core away (shared caches and memory bandwidth still are).
"""

import argparse
import statistics
import time

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from _reference_cell import ReferenceInputCellAttentionLSTM
from ica_sklearn.nn import RecurrentClassifierModule

PAPER = dict(hidden_size=5, attention_hops=20, attention_dim=50)
BATCH = 50


class BatchedReference(ReferenceInputCellAttentionLSTM):
    """The per-step loop of ``_reference_cell`` over a batch (B, T, F), float64."""

    def forward(self, x):
        x = x.double()
        h = x.new_zeros(x.shape[0], self.hidden_size)
        c = x.new_zeros(x.shape[0], self.hidden_size)
        for t in range(x.shape[1]):
            prefix = x[:, : t + 1]  # (B, t+1, F): scores recomputed at every step
            scores = torch.tanh(prefix @ self.W1.T + self.b1) @ self.W2.T + self.b2
            weights = torch.softmax(scores, dim=1)  # (B, t+1, r), over the prefix
            summary = (weights.transpose(1, 2) @ prefix).mean(dim=1)  # (B, F)
            gates = summary @ self.W_ih.T + self.b_ih + h @ self.W_hh.T + self.b_hh
            i, f, g, o = gates.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return h @ self.W_out.T + self.b_out


def make_module(cell, n_features, dtype):
    torch.manual_seed(0)
    return RecurrentClassifierModule(n_features, 2, cell=cell, dtype=dtype, **PAPER)


def adam(module):
    """The optimizer ``RNNClassifier`` builds by default (fused Adam), for every model."""
    return torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)


def training_step(module, optimizer, X, y):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(module(X), y)
    loss.backward()
    optimizer.step()
    return loss


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


class Stepper:
    """A module with its Adam optimizer and data; ``step()`` returns seconds."""

    def __init__(self, module, X, y):
        self.module, self.X, self.y = module.train(), X, y
        self.optimizer = adam(module)
        self.seconds = []

    def step(self):
        start = clock()
        training_step(self.module, self.optimizer, self.X, self.y)
        self.seconds.append(clock() - start)

    def median(self):
        return statistics.median(self.seconds)


def time_interleaved(steppers, rounds):
    """Median seconds per step; the models take turns, so load changes on a
    shared machine hit all of them alike.  ``rounds[name]`` timed steps each,
    after one untimed warm-up step of the fast ones."""
    for name, stepper in steppers.items():
        if rounds[name] == max(rounds.values()):
            stepper.step()
            stepper.seconds.clear()
    for i in range(max(rounds.values())):
        for name, stepper in steppers.items():
            if i < rounds[name]:
                stepper.step()
    return {name: stepper.median() for name, stepper in steppers.items()}


class LargestTensor(TorchDispatchMode):
    """Records the largest output (in elements) of any aten operation.

    The fused recurrent kernel (``mkldnn_rnn_layer`` on CPU) returns a flat
    workspace buffer whose size depends on batch, T and hidden size but not on
    the attention (plain ``lstm`` allocates the same); it is recorded apart.
    """

    def __init__(self):
        super().__init__()
        self.numel, self.op, self.rnn_workspace = 0, None, 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in out if isinstance(out, (tuple, list)) else (out,):
            if not isinstance(tensor, torch.Tensor):
                continue
            if "rnn" in str(func):
                self.rnn_workspace = max(self.rnn_workspace, tensor.numel())
            elif tensor.numel() > self.numel:
                self.numel, self.op = tensor.numel(), (str(func), tuple(tensor.shape))
        return out


def largest_tensor(module, X, y):
    """Largest tensor created by one forward + backward + optimizer step."""
    optimizer = adam(module)
    with LargestTensor() as mode:
        training_step(module, optimizer, X, y)
    return mode.numel, mode.op, mode.rnn_workspace


def data(T, F, dtype, seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(BATCH, T, F, generator=generator, dtype=dtype)
    y = torch.randint(0, 2, (BATCH,), generator=generator)
    return X, y


def check_reference(T, F):
    """The reference computes the same logits as ``ica_lstm`` (eval mode)."""
    module = make_module("ica_lstm", F, torch.float64).eval()
    X, _ = data(T, F, torch.float64)
    with torch.no_grad():
        difference = (module(X[:4]) - BatchedReference(module)(X[:4])).abs().max()
    return float(difference)


def bench_size(T, F, args):
    row = {"T": T, "F": F}
    X32, y = data(T, F, torch.float32)
    X64 = X32.double()
    k = BATCH if T <= args.full_reference_max_t else args.reference_batch
    reference = BatchedReference(make_module("ica_lstm", F, torch.float64))
    steppers = {
        "ica32": Stepper(make_module("ica_lstm", F, torch.float32), X32, y),
        "ica64": Stepper(make_module("ica_lstm", F, torch.float64), X64, y),
        "lstm32": Stepper(make_module("lstm", F, torch.float32), X32, y),
        "ref64": Stepper(reference, X64[:k], y[:k]),
    }
    rounds = {"ica32": args.repeat, "ica64": args.repeat, "lstm32": args.repeat,
              "ref64": args.reference_repeat}
    row.update(time_interleaved(steppers, rounds))
    row["ref64"], row["ref_k"] = row["ref64"] * BATCH / k, k
    numel, op, workspace = largest_tensor(make_module("ica_lstm", F, torch.float32), X32, y)
    row["largest"], row["largest_op"], row["workspace"] = numel, op, workspace
    row["lstm_workspace"] = largest_tensor(make_module("lstm", F, torch.float32), X32, y)[2]
    row["forbidden"] = BATCH * T * T * PAPER["attention_hops"]
    assert numel < row["forbidden"], f"a batch x T x T x r tensor was created: {op}"
    return row


def print_table(rows, threads):
    print(f"\ntorch {torch.__version__}, {threads} thread(s), batch {BATCH}, hidden 5, r=20, "
          f"d_a=50; seconds per training step (forward + backward + Adam), median, "
          f"{'CPU time' if clock is CLOCKS['cpu'] else 'wall clock'}")
    header = ("| T | F | ica_lstm f32 | ica_lstm f64 | lstm f32 | reference f64 | "
              "ref / ica f32 | ref / ica f64 | ica f32 / lstm | largest tensor (elements) "
              "| B*T*T*r |")
    print(header)
    print("|---" * 11 + "|")
    for r in rows:
        note = ""
        if r["ref_k"] != BATCH:
            note = f" (est.: {r['ref_k']} of {BATCH} samples x{BATCH / r['ref_k']:g})"
        print(f"| {r['T']} | {r['F']} | {r['ica32']:.4f} | {r['ica64']:.4f} | {r['lstm32']:.4f} "
              f"| {r['ref64']:.2f}{note} | {r['ref64'] / r['ica32']:.0f}x | "
              f"{r['ref64'] / r['ica64']:.0f}x | {r['ica32'] / r['lstm32']:.2f}x | "
              f"{r['largest']:,} {r['largest_op'][1]} | {r['forbidden']:,} |")
    for r in rows:
        print(f"T={r['T']}: largest tensor made by {r['largest_op'][0]}; fused LSTM kernel "
              f"workspace {r['workspace']:,} elements (plain lstm: {r['lstm_workspace']:,})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7, help="timed steps of our modules")
    parser.add_argument("--reference-repeat", type=int, default=3,
                        help="timed steps of the reference")
    parser.add_argument("--reference-batch", type=int, default=5,
                        help="samples the reference runs on when T > --full-reference-max-t")
    parser.add_argument("--full-reference-max-t", type=int, default=100)
    parser.add_argument("--sizes", default="100x100,300x360,1000x100",
                        help="comma-separated TxF")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall clock, or the process's CPU time (meaningful with 1 thread)")
    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu sums all threads' CPU time; use it with --threads 1")
    global clock
    clock = CLOCKS[args.clock]
    torch.set_num_threads(args.threads)
    # F = 30 > 4 x hidden: the gate-first path that is timed below
    print(f"max |logits ours - reference| (float64, T=50, F=30): {check_reference(50, 30):.1e}")
    rows = []
    for size in args.sizes.split(","):
        T, F = (int(v) for v in size.split("x"))
        rows.append(bench_size(T, F, args))
        print_table(rows[-1:], args.threads)
    print_table(rows, args.threads)


if __name__ == "__main__":
    main()
