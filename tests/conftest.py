"""Shared test set-up: one torch thread keeps tiny models fast and results
reproducible on the 2-core CI machine (two threads contend with pytest)."""

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _single_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def assert_same_values_and_gradients():
    """``check(got, expected, wrt, atol)``: two differentiable results agree,
    and so do their gradients with respect to every tensor in ``wrt`` for one
    random upstream gradient."""

    def check(got, expected, wrt, atol):
        np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), atol=atol)
        upstream = torch.randn_like(got)
        for name, fast, slow in zip(
            range(len(wrt)),
            torch.autograd.grad(got, wrt, upstream, retain_graph=True),
            torch.autograd.grad(expected, wrt, upstream, retain_graph=True),
        ):
            np.testing.assert_allclose(
                fast.numpy(), slow.numpy(), atol=10 * atol, err_msg=f"gradient {name}"
            )

    return check


# The estimator checks run in full on two representative cells (input-cell
# attention, and the bidirectional layer with its packed padding path); for
# the other cells the slowest checks (the training-quality family, ~4 s each)
# are in the slow tier, which `.ci/run` runs too.
REPRESENTATIVE_CELLS = ("ica_lstm", "bilstm")
SLOW_CHECKS = ("check_classifiers_train",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not item.name.startswith("test_scikit_learn_contract["):
            continue
        cells = [cell for cell in REPRESENTATIVE_CELLS if f"cell='{cell}'" in item.name]
        default_cell = "cell=" not in item.name and "RNNClassifier(" in item.name  # ica_lstm
        if not cells and not default_cell and any(c in item.name for c in SLOW_CHECKS):
            item.add_marker(pytest.mark.slow)
