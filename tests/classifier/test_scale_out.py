"""Scale-out: a grid search over cells and hyper-parameters runs under
joblib's dask backend on a ``dask.distributed.LocalCluster`` of worker
processes, with one torch thread per worker, and gives exactly the results
of a serial search."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from ica_sklearn import RNNClassifier

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

TINY = dict(max_epochs=3, attention_hops=2, attention_dim=3, lr=0.02, random_state=0,
            torch_num_threads=1)


def _proba_sum(estimator, X, y):
    return float(estimator.predict_proba(X).astype(np.float64).sum())


def _worker_threads(estimator, X, y):
    """Torch threads on the worker while the estimator predicts."""
    import torch

    return float(torch.get_num_threads())


@pytest.fixture(scope="module")
def cluster_client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.slow
def test_grid_search_under_dask_matches_serial(cluster_client):
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 12)
    X = rng.normal(size=(24, 6, 2)).astype(np.float32)
    X[:, :2] += np.where(y == 1, 1.0, -1.0)[:, None, None]
    grid = {"cell": ["lstm", "ica_lstm"], "hidden_size": [3, 5]}
    scoring = {"accuracy": "accuracy", "proba": _proba_sum, "threads": _worker_threads}

    def search():
        return GridSearchCV(RNNClassifier(**TINY), grid, cv=2, scoring=scoring,
                            refit="accuracy")

    with joblib.parallel_backend("dask"):
        on_dask = search().fit(X, y)
    serial = search().fit(X, y)

    workers = cluster_client.scheduler_info()["workers"]
    assert len(workers) == 2
    for key in ("split0_test_proba", "split1_test_proba"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], serial.cv_results_[key])
    # torch_num_threads=1 held on the workers during prediction.
    assert set(on_dask.cv_results_["mean_test_threads"]) == {1.0}
    assert on_dask.best_params_ == serial.best_params_
    np.testing.assert_array_equal(on_dask.predict(X), serial.predict(X))
