"""SB3-style algorithm classes: the composition root of evotrain."""

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.es import OpenES
from evotrain.algorithms.ga import GA
from evotrain.algorithms.neat import NEAT
from evotrain.evaluation.evaluate_policy import evaluate_policy

__all__ = ["GA", "NEAT", "BaseEvolver", "OpenES", "evaluate_policy"]
