"""Evolutionary strategies with pure init/ask/tell."""

from evotrain.strategies.base import Strategy
from evotrain.strategies.fitness_shaping import centered_ranks, ranks, sanitize
from evotrain.strategies.ga import GAConfig, GAParams, GAState, GAStrategy
from evotrain.strategies.open_es import OpenESConfig, OpenESParams, OpenESState, OpenESStrategy

__all__ = [
    "GAStrategy",
    "GAConfig",
    "GAParams",
    "GAState",
    "OpenESStrategy",
    "OpenESConfig",
    "OpenESParams",
    "OpenESState",
    "Strategy",
    "centered_ranks",
    "ranks",
    "sanitize",
]
