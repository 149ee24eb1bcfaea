"""Shared test set-up: one torch thread keeps tiny models fast and results
reproducible on the 2-core CI machine (two threads contend with pytest)."""

import matplotlib
import pytest
import torch

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _single_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
