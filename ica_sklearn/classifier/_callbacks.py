"""The skorch callbacks that decide when :class:`~ica_sklearn.RNNClassifier`
stops training: the paper's stop rule and early stopping on a validation split.

Both end training by raising :class:`StopTraining`, which the classifier's
net catches (see :mod:`ica_sklearn.classifier._net`); a ``KeyboardInterrupt``
stays what the user pressed.
"""

import numpy as np
import torch
from skorch.callbacks import Callback
from torch.utils.data import Subset

from ..utils._random import private_generator
from ..utils._torch import evaluating

__all__ = [
    "EarlyStopping",
    "StopAtPerfectTrainAccuracy",
    "StopTraining",
    "WholeSetTrainAccuracy",
    "misclassified",
]

#: History key set on the epoch where the stop rule ended training.
STOPPED_AT_PERFECT = "stopped_at_perfect_train_accuracy"


class StopTraining(Exception):
    """Raised by a callback to end training normally (not an error)."""


def _wrong(net, inputs, targets):
    """Boolean mask of the samples of one batch the module gets wrong."""
    return net.infer(inputs).argmax(dim=1).cpu() != targets.cpu()


def misclassified(net, dataset):
    """Positions in ``dataset`` that ``net``'s module gets wrong (eval mode, no gradients).

    Its data loader draws its seed from a throwaway generator, not from the
    fit's, so checking never changes how training goes on.
    """
    with evaluating(net.module_), private_generator(torch.Generator()):
        wrong = [_wrong(net, *batch) for batch in net.get_iterator(dataset, training=False)]
    return torch.cat(wrong).nonzero().flatten() if wrong else torch.zeros(0, dtype=torch.long)


class WholeSetTrainAccuracy(Callback):
    """Record ``train_acc``: the accuracy of the model as it stands at the end
    of each epoch, on the whole training set, in eval mode.

    One extra forward pass per epoch.  (Without the stop rule the classifier
    records the accuracy of the training batches instead, with skorch's
    ``EpochScoring``, at no extra cost.)
    """

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        # (A stop mid-epoch has recorded it already.)
        if dataset_train is not None and "train_acc" not in net.history[-1]:
            accuracy = 1.0 - len(misclassified(net, dataset_train)) / max(len(dataset_train), 1)
            net.history.record("train_acc", accuracy)


class StopAtPerfectTrainAccuracy(Callback):
    """End training once the model classifies every training sample (the paper's rule).

    Like the paper's code, the rule is checked every ``check_every`` training
    batches, not only at the end of an epoch.  A check evaluates the model in
    eval mode on the whole training set, but only once two cheap screens
    pass: the batch just trained on, and the samples the previous whole-set
    check got wrong, are all classified correctly.  A model that is perfect
    on the whole set passes both, so no stop is missed, and the rule stays
    cheap on large training sets that never reach 100 %.  At the end of an
    epoch ``train_acc`` (from :class:`WholeSetTrainAccuracy`) decides.

    When the rule fires mid-epoch, the partial epoch's ``train_loss`` (mean of
    its batches), ``train_acc`` and ``stopped_after_batch`` are recorded.
    Whenever it fires, the epoch's history row gets
    ``stopped_at_perfect_train_accuracy = True``, and :class:`EarlyStopping`
    then keeps these weights rather than an earlier epoch's.

    Place it after every callback that must still see the epoch (checkpoints,
    early stopping), since training ends as soon as it raises.

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
            net.history.record(STOPPED_AT_PERFECT, True)
            raise StopTraining

    @staticmethod
    def _classifies_batch(net, batch):
        with evaluating(net.module_):
            return not bool(_wrong(net, *batch).any())

    def _stop_mid_epoch(self, net):
        batches = [b for b in net.history[-1, "batches"] if "train_loss" in b]
        sizes = np.array([b.get("train_batch_size", 1) for b in batches], dtype=float)
        losses = np.array([b["train_loss"] for b in batches], dtype=float)
        net.history.record("train_loss", float(np.average(losses, weights=sizes)))
        net.history.record("train_acc", 1.0)
        net.history.record("stopped_after_batch", self.n_batches_)
        net.history.record(STOPPED_AT_PERFECT, True)
        # The epoch ends here: callbacks that act at epoch ends see it.
        net.notify("on_epoch_end", dataset_train=self.dataset_train_, dataset_valid=None)
        raise StopTraining


class EarlyStopping(Callback):
    """Stop when a monitored score has not improved for ``patience`` epochs,
    and restore the weights of the best epoch when training ends.

    An epoch improves on the best score ``b`` when its score is below
    ``b - threshold * |b|`` (relative threshold, ``lower_is_better``) or
    above ``b + threshold * |b|`` otherwise.  When the stop rule
    (:class:`StopAtPerfectTrainAccuracy`) ended training, the weights that
    reached 100 % are kept instead.

    Parameters
    ----------
    monitor : str, default="valid_loss"
        History key of the score.
    patience : int, default=10
        Epochs without improvement before stopping.
    threshold : float, default=1e-4
        Relative improvement needed.
    lower_is_better : bool, default=True
    """

    def __init__(self, monitor="valid_loss", patience=10, threshold=1e-4, lower_is_better=True):
        self.monitor = monitor
        self.patience = patience
        self.threshold = threshold
        self.lower_is_better = lower_is_better

    def on_train_begin(self, net, **kwargs):
        self.best_score_ = None
        self.best_epoch_ = None
        self.best_weights_ = None
        self.misses_ = 0

    def _improves(self, score):
        if self.best_score_ is None:
            return True
        margin = self.threshold * abs(self.best_score_)
        if self.lower_is_better:
            return score < self.best_score_ - margin
        return score > self.best_score_ + margin

    def on_epoch_end(self, net, **kwargs):
        if net.history[-1].get(STOPPED_AT_PERFECT):
            return
        score = net.history[-1, self.monitor]
        if self._improves(score):
            self.best_score_, self.best_epoch_, self.misses_ = score, net.history[-1, "epoch"], 0
            self.best_weights_ = {
                name: value.detach().clone() for name, value in net.module_.state_dict().items()
            }
        else:
            self.misses_ += 1
        if self.misses_ >= self.patience:
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        last = net.history[-1]
        if (
            self.best_weights_ is not None
            and not last.get(STOPPED_AT_PERFECT)
            and self.best_epoch_ != last["epoch"]
        ):
            net.module_.load_state_dict(self.best_weights_)
