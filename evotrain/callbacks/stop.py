"""Callbacks that stop training: a fitness threshold reached, or no improvement for a while.

Both work on their own, watching the best training fitness so far
(``GenerationInfo.best_fitness``), or under an evaluation callback (as its
``callback_on_new_best`` / ``callback_after_eval``), watching the parent's
``best_mean_reward`` instead, as SB3's do.
"""

from __future__ import annotations

import math

from evotrain.callbacks.base import BaseCallback
from evotrain.distributed import print_main


def _watched(callback: BaseCallback) -> float:
    """The best value so far: the parent evaluation's mean reward, else training fitness."""
    parent = callback.parent
    if parent is not None and hasattr(parent, "best_mean_reward"):
        return float(parent.best_mean_reward)
    assert callback.info is not None
    return callback.info.best_fitness


class StopTrainingOnFitnessThreshold(BaseCallback):
    """Stops training once the best fitness (or evaluation mean reward) reaches a threshold.

    Args:
        fitness_threshold: the value to reach (fitness is maximized).
        verbose: 1 prints a message when training stops.
    """

    def __init__(self, fitness_threshold: float, verbose: int = 0) -> None:
        super().__init__(verbose)
        threshold = float(fitness_threshold)
        if math.isnan(threshold):
            raise ValueError("fitness_threshold must be a number, not NaN.")
        self.fitness_threshold = threshold

    def _on_generation_end(self) -> bool:
        value = _watched(self)
        go = value < self.fitness_threshold
        if not go and self.verbose >= 1:
            print_main(
                f"Stopping training: best {value:.4g} reached the threshold "
                f"{self.fitness_threshold:.4g} at generation {self.num_generations}."
            )
        return go


class StopTrainingOnNoImprovement(BaseCallback):
    """Stops training after more than ``max_no_improvement`` checks without a new best.

    On its own a check is a generation and the watched value is the best training
    fitness; under an evaluation callback a check is an evaluation and the watched value
    its best mean reward.

    Args:
        max_no_improvement: checks in a row without improvement that are tolerated.
        min_checks: checks before counting starts.
        verbose: 1 prints a message when training stops.
    """

    def __init__(self, max_no_improvement: int, min_checks: int = 0, verbose: int = 0) -> None:
        super().__init__(verbose)
        for name, value in (("max_no_improvement", max_no_improvement), ("min_checks", min_checks)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer; got {value!r}.")
        self.max_no_improvement = max_no_improvement
        self.min_checks = min_checks
        self.last_best = -math.inf
        self.no_improvement = 0

    def _on_generation_end(self) -> bool:
        value = _watched(self)
        go = True
        if self.n_calls > self.min_checks:
            if value > self.last_best:
                self.no_improvement = 0
            else:
                self.no_improvement += 1
                go = self.no_improvement <= self.max_no_improvement
        self.last_best = max(self.last_best, value)
        if not go and self.verbose >= 1:
            print_main(
                f"Stopping training: no improvement over {self.last_best:.4g} in "
                f"{self.no_improvement} checks (generation {self.num_generations})."
            )
        return go


__all__ = ["StopTrainingOnFitnessThreshold", "StopTrainingOnNoImprovement"]
