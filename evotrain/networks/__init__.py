"""What one individual computes: MLP policies, NEAT networks, the activation table, and
:class:`~evotrain.networks.numpy_network.NumpyNetwork` (exported genomes without JAX).

Names are imported on first use, so ``evotrain.networks.numpy_network`` and
``evotrain.networks.activation_table`` load neither JAX nor SymPy.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ACTIVATIONS": "evotrain.networks.activations",
    "get_activation": "evotrain.networks.activations",
    "register_activation": "evotrain.networks.activations",
    "Network": "evotrain.networks.base",
    "MLP": "evotrain.networks.mlp",
    "NEATNetwork": "evotrain.networks.neat_network",
    "NumpyNetwork": "evotrain.networks.numpy_network",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evotrain.networks' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
