"""Saliency maps: :class:`SaliencyExplainer` and what it is made of.

``_explainer`` (the scikit-learn transformer), ``_method_table`` (the saliency
methods on offer, one row each), ``_attribution`` (running a method on a
batch: the plain torch gradient and the Captum adapters), ``_tsr`` (batched
Temporal Saliency Rescaling), ``_targets`` (the explained classifier and the
class explained for each sample) and ``_importance`` (maps reduced to time or
feature importance) and ``_sanity`` (the sanity checks of Adebayo et al.,
2018: do the maps change when the model's weights or labels are randomised?).  Submodules load on first use; the method table and the
importance functions need no torch.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_explainer": ["EXPLANATION_EXPLAINER_PARAMS", "SaliencyExplainer"],
        "_importance": ["feature_importance", "time_importance"],
        "_method_table": ["METHODS", "OUTPUTS", "Method"],
        "_sanity": ["data_randomization_check", "map_similarity", "model_randomization_check"],
    },
)
