"""Scaling of sequence data for Pipelines: :class:`TimeSeriesStandardScaler`."""

from ._scaler import TimeSeriesStandardScaler

__all__ = ["TimeSeriesStandardScaler"]
