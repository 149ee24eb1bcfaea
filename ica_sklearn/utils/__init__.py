"""Helpers shared by several subpackages: sequence input conversion
(``_sequences``), per-row min-max scaling (``_scaling``), torch settings
(``_torch``: dtypes, devices, threads, seeded random state), seeded draws
from private generators (``_random``) and files written atomically
(``_files``)."""
