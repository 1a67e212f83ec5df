"""SB3-style algorithm classes: the composition root of evotrain."""

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.es import OpenES
from evotrain.algorithms.ga import GA
from evotrain.algorithms.neat import NEAT
from evotrain.evaluation.evaluate_policy import evaluate_policy

ALGORITHMS: dict[str, type[BaseEvolver]] = {"neat": NEAT, "openes": OpenES, "ga": GA}
"""The algorithms by their short name (``model.algorithm_name``)."""


def algorithm_class(name: str) -> type[BaseEvolver]:
    """An algorithm class by short name (``"neat"``) or class name (``"NEAT"``).

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    for key, cls in ALGORITHMS.items():
        if name.lower() in (key, cls.__name__.lower()):
            return cls
    raise ValueError(f"Unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}.")


__all__ = [
    "ALGORITHMS",
    "GA",
    "NEAT",
    "BaseEvolver",
    "OpenES",
    "algorithm_class",
    "evaluate_policy",
]
