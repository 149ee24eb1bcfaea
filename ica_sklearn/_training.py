"""Training the skorch net of :class:`~ica_sklearn.RNNClassifier`: from
scratch, or resumed from the checkpoint in ``checkpoint_dir``."""

from ._persistence import has_checkpoint, resume_from_checkpoint

__all__ = ["train_net"]


def train_net(net, inputs, targets, *, checkpoint_dir, max_epochs, stop_at_perfect):
    """Fit ``net``, or continue a checkpointed run up to ``max_epochs`` in all.

    A resumed run that already stopped (``stop_at_perfect`` and 100 % training
    accuracy in its last epoch) or reached ``max_epochs`` is not trained further.
    """
    if not has_checkpoint(checkpoint_dir):
        net.fit(inputs, targets)
        return net
    net.initialize()
    done = resume_from_checkpoint(net, checkpoint_dir)
    finished = (
        stop_at_perfect and done > 0 and net.history[-1].get("train_acc", 0.0) >= 1.0
    )
    if done < max_epochs and not finished:
        net.partial_fit(inputs, targets, epochs=max_epochs - done)
    return net
