"""skorch callbacks used by :class:`ica_sklearn.RNNClassifier`."""

from skorch.callbacks import Callback

__all__ = ["StopAtPerfectTrainAccuracy"]


class StopAtPerfectTrainAccuracy(Callback):
    """Record training accuracy per epoch; stop once it reaches 100 %.

    The paper's stopping rule.  Accuracy is counted on the training batches
    as they are seen during the epoch (the predictions the loss was computed
    on, with dropout active), so it costs no extra pass over the data.  It is
    written to the history as ``train_acc``.

    Parameters
    ----------
    stop : bool, default=True
        When False, only record ``train_acc``.
    """

    def __init__(self, stop=True):
        self.stop = stop

    def on_epoch_begin(self, net, **kwargs):
        self.n_correct_ = 0
        self.n_seen_ = 0

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training or y_pred is None:
            return
        targets = batch[1]
        predicted = y_pred.detach().argmax(dim=1).to(targets.device)
        self.n_correct_ += int((predicted == targets).sum())
        self.n_seen_ += len(targets)

    def on_epoch_end(self, net, **kwargs):
        if not self.n_seen_:
            return
        accuracy = self.n_correct_ / self.n_seen_
        net.history.record("train_acc", accuracy)
        if self.stop and accuracy >= 1.0:
            # skorch ends training cleanly on KeyboardInterrupt (as EarlyStopping).
            raise KeyboardInterrupt
