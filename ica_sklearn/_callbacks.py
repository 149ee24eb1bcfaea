"""skorch callbacks used by :class:`ica_sklearn.RNNClassifier`."""

import torch
from skorch.callbacks import Callback

__all__ = ["TrainAccuracy", "StopAtPerfectTrainAccuracy"]


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
            self._count_end_of_epoch(net, dataset_train)
        if self.n_seen_:
            net.history.record("train_acc", self.n_correct_ / self.n_seen_)


    def _count_end_of_epoch(self, net, dataset):
        net.module_.eval()
        with torch.no_grad():
            for inputs, targets in net.get_iterator(dataset, training=False):
                predicted = net.infer(inputs).argmax(dim=1).cpu()
                self.n_correct_ += int((predicted == targets.cpu()).sum())
                self.n_seen_ += len(targets)


class StopAtPerfectTrainAccuracy(Callback):
    """End training once an epoch's ``train_acc`` is 100 % (the paper's rule).

    Place it after every callback that must still see the epoch (checkpoints,
    early stopping, which keeps the best weights), since skorch ends training
    as soon as it raises.
    """

    def on_epoch_end(self, net, **kwargs):
        if net.history[-1].get("train_acc", 0.0) >= 1.0:
            # skorch ends training cleanly on KeyboardInterrupt (as EarlyStopping).
            raise KeyboardInterrupt
