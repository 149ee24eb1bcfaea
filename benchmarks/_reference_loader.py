"""The classifier's net with the data loading it had before whole-batch
loading, for ``bench_epoch_overhead.py`` and ``tests/classifier/test_data_loading.py``:
skorch's dataset and torch's per-sample loader (chosen by giving a ``collate_fn``)."""

from skorch.dataset import Dataset
from torch.utils.data import default_collate

from ica_sklearn.classifier._net import ClassifierNet


class PerSampleNet(ClassifierNet):
    """``ClassifierNet`` indexing the dataset once per sample and stacking."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "dataset": Dataset})

    def get_params_for(self, prefix):
        params = super().get_params_for(prefix)
        if prefix.startswith("iterator_"):
            params.setdefault("collate_fn", default_collate)
        return params
