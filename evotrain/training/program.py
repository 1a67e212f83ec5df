"""The one place a generation program is made.

A shell describes its generation with a :class:`Recipe` (strategy and params, the policy
network, the env and evaluation settings, the devices, and for populations of genomes
their :class:`Capacity` levels); :func:`make_program` turns it into a
:class:`GenerationProgram`: traced once per capacity level, split over the devices,
jitted, compiled ahead of time and checked against free memory the first time a
generation needs it, and dispatched to the smallest capacity level the population fits.
Host envs (Gymnasium, Ray) get a :class:`~evotrain.training.step.HostGenerationStep`
instead: their evaluation runs in Python between the jitted halves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
from jax.sharding import Mesh

from evotrain.envs.base import Env
from evotrain.evaluation.evaluate import EvalConfig, make_evaluator
from evotrain.neat.capacity import grow, level_for, rows_used, shrink
from evotrain.networks.base import Network
from evotrain.strategies.base import Strategy
from evotrain.training.compile import jit_program
from evotrain.training.memory import compile_checked
from evotrain.training.sharding import replicated_step, shard_evaluator
from evotrain.training.state import TrainState
from evotrain.training.step import make_generation_step
from evotrain.types import Metrics, PyTree

Step = Callable[[TrainState], tuple[TrainState, Metrics]]
Level = tuple[int, int]

_rows_used = jax.jit(rows_used)


@dataclasses.dataclass(frozen=True)
class Capacity:
    """Capacity levels of a population of genomes (see :mod:`evotrain.neat.capacity`).

    Attributes:
        levels: ``(nodes, conns)`` rows a generation may run at, smallest first; the last
            is the full capacity the train state is stored at.
        at: ``level -> (strategy, network)`` for genomes of that many rows.
    """

    levels: tuple[Level, ...]
    at: Callable[[Level], tuple[Strategy, Network]]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """What a generation program is made from.

    Attributes:
        strategy: the strategy (at full capacity).
        params: its ``*Params``.
        network: the policy network (at full capacity).
        env: a jittable env.
        eval_config: how individuals are evaluated.
        mesh: the population's devices.
        pop_size: individuals per generation (for the memory check's advice).
        fast_compile: see :func:`~evotrain.training.compile.jit_program`.
        capacity: capacity levels for populations of genomes (None: one level).
    """

    strategy: Strategy
    params: PyTree
    network: Network
    env: Env
    eval_config: EvalConfig
    mesh: Mesh
    pop_size: int
    fast_compile: bool = False
    capacity: Capacity | None = None


class GenerationProgram:
    """``program(train_state) -> (train_state, metrics)``: one generation, compiled.

    Args:
        recipe: what the program is made from.
    """

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        cap = recipe.capacity
        self.levels: tuple[Level, ...] = cap.levels if cap is not None else ()
        self._compiled: dict[int, Any] = {}

    def level(self, ts: TrainState) -> int:
        """Index of the capacity level the next generation from ``ts`` runs at (0 when the
        population has no levels). Reads two numbers from the device."""
        if not self.levels:
            return 0
        nodes, conns = jax.device_get(_rows_used(ts))
        return level_for(self.levels, int(nodes), int(conns))

    def jitted(self, level: int = 0, eval_config: EvalConfig | None = None) -> Any:
        """The jitted (not yet compiled) generation at capacity level ``level``, taking and
        returning train states at full capacity.

        Args:
            level: an index into :attr:`levels` (ignored without levels).
            eval_config: evaluation settings (default: the recipe's).
        """
        r = self.recipe
        config = r.eval_config if eval_config is None else eval_config
        strategy, network = r.strategy, r.network
        if self.levels:
            strategy, network = r.capacity.at(self.levels[level])  # type: ignore[union-attr]
        evaluate = shard_evaluator(make_evaluator(r.env, network, config), r.mesh)
        step: Step = make_generation_step(strategy, r.params, evaluate)
        if self.levels and level < len(self.levels) - 1:
            step = _at_level(step, self.levels[level], self.levels[-1])
        return jit_program(replicated_step(step, r.mesh), r.fast_compile)

    def compiled(self, ts: TrainState) -> Any:
        """The compiled generation for ``ts``'s level: compiled ahead of time and checked
        against free memory the first time it is needed.

        Raises:
            PopulationTooLargeError: when one generation cannot fit in memory (the message
                says which ``pop_batch_size`` would).
        """
        i = self.level(ts)
        if i not in self._compiled:
            r = self.recipe
            self._compiled[i] = compile_checked(
                lambda config: self.jitted(i, config), r.eval_config, ts, r.pop_size
            )
        return self._compiled[i]

    def __call__(self, ts: TrainState) -> tuple[TrainState, Metrics]:
        return self.compiled(ts)(ts)

    def lower(self, ts: TrainState) -> Any:
        """``jax.jit``'s lowering of the generation at ``ts``'s level."""
        return self.jitted(self.level(ts)).lower(ts)


def _at_level(inner: Step, level: Level, full: Level) -> Step:
    """A step on full-capacity train states that runs ``inner`` (built for genomes of
    ``level``'s rows) on their leading rows and pads the result back with NaN rows."""

    def step(ts: TrainState) -> tuple[TrainState, Metrics]:
        ts, metrics = inner(shrink(ts, *level))
        return grow(ts, *full), metrics

    return step


def make_program(recipe: Recipe) -> GenerationProgram:
    """The generation program of ``recipe`` (a jittable env's)."""
    if not recipe.env.jittable:
        raise TypeError(
            f"{recipe.env.spec.env_id} is evaluated on the host; its generation is a "
            "HostGenerationStep."
        )
    return GenerationProgram(recipe)


__all__ = ["Capacity", "GenerationProgram", "Recipe", "make_program"]
