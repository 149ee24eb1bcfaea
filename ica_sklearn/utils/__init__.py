"""Helpers shared by several subpackages: sequence input conversion
(``_sequences``), per-row min-max scaling (``_scaling``) and torch settings
(``_torch``: dtypes, devices, threads, seeded random state)."""
