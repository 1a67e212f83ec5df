"""Evolutionary strategies with pure init/ask/tell."""

from evotrain.strategies.base import Strategy
from evotrain.strategies.fitness_shaping import centered_ranks, ranks, sanitize
from evotrain.strategies.ga import GA, GAConfig, GAParams, GAState
from evotrain.strategies.open_es import OpenES, OpenESConfig, OpenESParams, OpenESState

__all__ = [
    "GA",
    "GAConfig",
    "GAParams",
    "GAState",
    "OpenES",
    "OpenESConfig",
    "OpenESParams",
    "OpenESState",
    "Strategy",
    "centered_ranks",
    "ranks",
    "sanitize",
]
