"""skorch callbacks used by :class:`ica_sklearn.RNNClassifier`."""

from contextlib import contextmanager

import torch
from skorch.callbacks import Callback, Checkpoint, EarlyStopping
from torch.utils.data import Subset

__all__ = ["TrainAccuracy", "StopAtPerfectTrainAccuracy", "misclassified", "whole_set_accuracy"]


@contextmanager
def _evaluating(net):
    """Eval mode and no gradients for a block; the module's mode is restored after."""
    was_training = net.module_.training
    net.module_.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        net.module_.train(was_training)


def _wrong(net, inputs, targets):
    """Boolean mask of the samples of one batch the module gets wrong."""
    return net.infer(inputs).argmax(dim=1).cpu() != targets.cpu()


def misclassified(net, dataset):
    """Positions in ``dataset`` that ``net``'s module gets wrong (eval mode, no gradients).

    Leaves torch's global random state as it found it (a data loader draws a
    seed from it), so checking never changes how training goes on.
    """
    with _evaluating(net), torch.random.fork_rng(devices=[]):
        wrong = [_wrong(net, *batch) for batch in net.get_iterator(dataset, training=False)]
    return torch.cat(wrong).nonzero().flatten() if wrong else torch.zeros(0, dtype=torch.long)


def whole_set_accuracy(net, dataset):
    """Accuracy of ``net``'s module on ``dataset``, in eval mode, no gradients."""
    return 1.0 - len(misclassified(net, dataset)) / max(len(dataset), 1)


class TrainAccuracy(Callback):
    """Record the training accuracy of each epoch as ``train_acc``.

    Parameters
    ----------
    after_epoch : bool, default=False
        False counts accuracy on the training batches as they are seen during
        the epoch (the predictions the loss was computed on, with dropout
        active): no extra cost.  True evaluates the model as it is at the end
        of the epoch on the whole training set, in eval mode: one extra
        forward pass per epoch.
    """

    def __init__(self, after_epoch=False):
        self.after_epoch = after_epoch

    def on_epoch_begin(self, net, **kwargs):
        self.n_correct_ = 0
        self.n_seen_ = 0

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if self.after_epoch or not training or y_pred is None:
            return
        targets = batch[1]
        predicted = y_pred.detach().argmax(dim=1).to(targets.device)
        self.n_correct_ += int((predicted == targets).sum())
        self.n_seen_ += len(targets)

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        if self.after_epoch and dataset_train is not None:
            net.history.record("train_acc", whole_set_accuracy(net, dataset_train))
        elif self.n_seen_:
            net.history.record("train_acc", self.n_correct_ / self.n_seen_)


class StopAtPerfectTrainAccuracy(Callback):
    """End training once the model classifies every training sample (the paper's rule).

    Like the paper's code, the rule is checked every ``check_every`` training
    batches, not only at the end of an epoch: on the paper's box data one
    epoch is 20 batches, and the batches after the model first becomes
    perfect sharpen its saliency onto a few cells.  A check evaluates the
    model in eval mode on the whole training set, but only once two cheap
    screens pass: the batch just trained on, and the samples the previous
    whole-set check got wrong, are all classified correctly.  A model that is
    perfect on the whole set passes both, so no stop is missed, and the rule
    stays cheap on large training sets that never reach 100 %.  At the end of
    an epoch ``train_acc`` (from :class:`TrainAccuracy`) decides.

    When the rule fires mid-epoch, the partial epoch's ``train_loss`` (mean of
    its batches) and ``train_acc`` are recorded, with ``stopped_after_batch``;
    checkpoints are written and early stopping does not swap in an earlier
    epoch's weights: the model that reached 100 % is the one kept.

    Place it after every callback that must still see the epoch (checkpoints,
    early stopping, which keeps the best weights), since skorch ends training
    as soon as it raises.

    Parameters
    ----------
    check_every : int, default=3
        Training batches between checks (the paper's code: 3 for input-cell
        attention).
    """

    def __init__(self, check_every=3):
        self.check_every = check_every

    def on_train_begin(self, net, **kwargs):
        self.last_errors_ = torch.zeros(0, dtype=torch.long)
        self.n_whole_set_checks_ = 0

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        self.dataset_train_ = dataset_train
        self.n_batches_ = 0

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        self.n_batches_ += 1
        if self.n_batches_ % self.check_every or self.dataset_train_ is None:
            return
        if not self._classifies_batch(net, batch):
            return
        if len(self.last_errors_) and len(
            misclassified(net, Subset(self.dataset_train_, self.last_errors_.tolist()))
        ):
            return  # a sample the last whole-set check got wrong is still wrong
        self.n_whole_set_checks_ += 1
        self.last_errors_ = misclassified(net, self.dataset_train_)
        if not len(self.last_errors_):
            self._stop_mid_epoch(net)

    def on_epoch_end(self, net, **kwargs):
        if net.history[-1].get("train_acc", 0.0) >= 1.0:
            # skorch ends training cleanly on KeyboardInterrupt (as EarlyStopping).
            raise KeyboardInterrupt

    @staticmethod
    def _classifies_batch(net, batch):
        with _evaluating(net):
            return not bool(_wrong(net, *batch).any())

    def _stop_mid_epoch(self, net):
        batches = [b for b in net.history[-1, "batches"] if "train_loss" in b]
        sizes = [b.get("train_batch_size", 1) for b in batches]
        losses = [b["train_loss"] for b in batches]
        net.history.record("train_loss", sum(s * l for s, l in zip(sizes, losses)) / sum(sizes))
        net.history.record("train_acc", 1.0)
        net.history.record("stopped_after_batch", self.n_batches_)
        epoch = net.history[-1, "epoch"]
        for _, callback in net.callbacks_:
            if isinstance(callback, EarlyStopping):
                callback.best_epoch_ = epoch  # keep these weights at train end
            elif isinstance(callback, Checkpoint):
                callback.save_model(net)
        raise KeyboardInterrupt
