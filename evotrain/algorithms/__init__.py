"""SB3-style algorithm classes: the composition root of evotrain.

Which algorithms exist is :data:`evotrain.algorithms.registry.REGISTRY`; the classes are
imported on first use, so reading the registry (the CLI does) does not load JAX.
"""

from __future__ import annotations

import importlib
from typing import Any

from evotrain.algorithms.registry import REGISTRY, algorithm_class

_EXPORTS = {
    **{e.class_name: e.module for e in REGISTRY},
    "BaseEvolver": "evotrain.algorithms.base",
    "evaluate_policy": "evotrain.evaluation.evaluate_policy",
}


def __getattr__(name: str) -> Any:
    if name == "ALGORITHMS":
        # The classes by short name (``model.algorithm_name``), in registry order.
        return {e.name: e.load() for e in REGISTRY}
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evotrain.algorithms' has no attribute {name!r}")


__all__ = ["ALGORITHMS", *sorted(_EXPORTS), "algorithm_class"]
