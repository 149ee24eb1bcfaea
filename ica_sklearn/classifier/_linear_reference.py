"""A transparent reference model: :class:`LinearReferenceClassifier`.

Logistic regression on the flattened sequence, one weight per (time step,
feature) position.  Its explanation is known exactly: the input x gradient of
the logit of class ``c`` is ``w_c * x``, each cell's contribution to the
evidence for ``c``.  Reports show it beside the recurrent models so that a
saliency figure can be read against what a model that sees every cell
directly finds in the same data.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..utils._sequences import split_padding, validate_sequences
from ._estimator import _encode_targets

__all__ = ["LinearReferenceClassifier"]


class _FlatLinearModule(torch.nn.Module):
    """Logits of a linear model on the flattened (zero-padded) sequence."""

    def __init__(self, weight, bias, n_timesteps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.as_tensor(weight, dtype=torch.float64))
        self.bias = torch.nn.Parameter(torch.as_tensor(bias, dtype=torch.float64))
        self.n_timesteps = n_timesteps

    def forward(self, X, lengths=None):
        missing = self.n_timesteps - X.shape[1]
        if missing < 0:
            raise ValueError(
                f"X has {X.shape[1]} time steps, but the linear reference has weights "
                f"for {self.n_timesteps} only (its training length). Crop or split "
                "longer sequences."
            )
        padded = torch.nn.functional.pad(X, (0, 0, 0, missing))
        return torch.nn.functional.linear(padded.flatten(start_dim=1), self.weight, self.bias)


class LinearReferenceClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression on the flattened sequence: a transparent reference.

    Every (time step, feature) position has its own weight, so the model can
    use any cell, at any time, directly.  Explained with
    ``SaliencyExplainer(ref, "input_x_gradient", output="logit",
    absolute=False)`` its map is ``w_c * x``: each cell's contribution to the
    evidence for the explained class ``c``.  Shorter sequences are padded with
    zeros (padding contributes nothing); longer ones than the training length
    are refused.

    Parameters
    ----------
    C : float, default=1.0
        Inverse L2 regularisation strength of
        :class:`~sklearn.linear_model.LogisticRegression`.
    max_iter : int, default=1000
        Iterations of its solver.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    logistic_ : sklearn.linear_model.LogisticRegression
        The fitted model on flattened input of ``n_timesteps_in_ * n_channels_`` columns.
    module_ : torch.nn.Module
        The same model as a torch module mapping ``(X, lengths)`` to logits
        (for two classes ``(-z/2, z/2)`` with ``z`` the decision function, so
        that the softmax equals ``predict_proba`` and either class has its
        own evidence), read by :class:`~ica_sklearn.SaliencyExplainer`.
    n_features_in_, n_timesteps_in_, n_channels_ : int
        As for :class:`~ica_sklearn.RNNClassifier`.
    n_iter_ : ndarray of shape (1,)
        Solver iterations.
    device_ : str
        "cpu".

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import SaliencyExplainer
    >>> from ica_sklearn.classifier import LinearReferenceClassifier
    >>> from ica_sklearn.datasets import make_box_dataset
    >>> from ica_sklearn.metrics import saliency_auc
    >>> X, y, mask = make_box_dataset("earlier_box", 200, n_timesteps=10,
    ...                               n_features=10, random_state=0)
    >>> ref = LinearReferenceClassifier().fit(X, y)
    >>> maps = SaliencyExplainer(ref, "input_x_gradient", output="logit",
    ...                          absolute=False).transform(X, y)
    >>> bool(saliency_auc(mask, np.clip(maps, 0, None)).mean() > 0.8)
    True
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }
    #: The explainer computes in float64, on the CPU, with torch's threads.
    dtype = "float64"
    torch_num_threads = None

    def __init__(self, *, C=1.0, max_iter=1000):
        self.C = C
        self.max_iter = max_iter

    def _validate_sequences(self, X, *, reset):
        padded, _ = validate_sequences(self, X, reset=reset, dtype=np.float64)
        return split_padding(padded)

    def _flat(self, values):
        missing = self.n_timesteps_in_ - values.shape[1]
        if missing < 0:
            raise ValueError(
                f"X has {values.shape[1]} time steps, but {type(self).__name__} was "
                f"fitted on {self.n_timesteps_in_}; it has no weights beyond. Crop or "
                "split longer sequences."
            )
        values = np.pad(values, ((0, 0), (0, missing), (0, 0)))
        return values.reshape(len(values), -1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the logistic regression on the flattened sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features), or the
            other layouts :class:`~ica_sklearn.RNNClassifier` accepts
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : LinearReferenceClassifier
        """
        values, _ = self._validate_sequences(X, reset=True)
        self.classes_, codes = _encode_targets(y, len(values), type(self).__name__)
        self.logistic_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.logistic_.fit(self._flat(values), codes)
        self.n_iter_ = self.logistic_.n_iter_
        weight, bias = self.logistic_.coef_, self.logistic_.intercept_
        if len(self.classes_) == 2:
            weight, bias = np.vstack([-weight, weight]) / 2.0, np.hstack([-bias, bias]) / 2.0
        self.module_ = _FlatLinearModule(weight, bias, self.n_timesteps_in_).eval()
        self.device_ = "cpu"
        return self

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like, same layouts as in :meth:`fit`

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        values, _ = self._validate_sequences(X, reset=False)
        return self.logistic_.predict_proba(self._flat(values))

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like, same layouts as in :meth:`fit`

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
