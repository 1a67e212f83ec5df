"""The generation step: ask -> evaluate -> tell, plus bookkeeping.

:func:`make_generation_step` returns ``generation_step(train_state) -> (train_state,
metrics)``, pure and jittable for jittable problems; the shell jits it once. For host
(Gymnasium) problems :class:`HostGenerationStep` jits the ask and tell halves and runs the
evaluation between them in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from evotrain.evaluation.evaluate import Evaluator, leading
from evotrain.evaluation.normalization import merge
from evotrain.evaluation.result import Evaluation
from evotrain.strategies.base import Strategy
from evotrain.strategies.fitness_shaping import sanitize
from evotrain.training.compile import jit_program
from evotrain.training.info import STRATEGY_PREFIX
from evotrain.training.state import TrainState
from evotrain.types import Metrics, PRNGKey, PyTree

GenerationStep = Callable[[TrainState], tuple[TrainState, Metrics]]


def _ask(
    strategy: Strategy, params: PyTree, ts: TrainState
) -> tuple[TrainState, PyTree, PRNGKey, PRNGKey]:
    key, ask_key, eval_key, tell_key = jax.random.split(ts.key, 4)
    population, strategy_state = strategy.ask(ask_key, ts.strategy_state, params)
    return ts.replace(key=key, strategy_state=strategy_state), population, eval_key, tell_key


def fitness_stats(fitness: jax.Array) -> Metrics:
    """Best/mean/std/min over the finite entries of a sanitized fitness ``(pop_size,)``."""
    finite = jnp.isfinite(fitness)
    n = jnp.maximum(finite.sum(), 1)
    zeroed = jnp.where(finite, fitness, 0.0)
    mean = zeroed.sum() / n
    var = jnp.where(finite, jnp.square(fitness - mean), 0.0).sum() / n
    none = ~jnp.any(finite)
    return {
        "fitness_max": jnp.max(fitness),
        "fitness_mean": jnp.where(none, -jnp.inf, mean),
        "fitness_std": jnp.where(none, 0.0, jnp.sqrt(var)),
        "fitness_min": jnp.where(none, -jnp.inf, jnp.min(jnp.where(finite, fitness, jnp.inf))),
    }


def _tell(
    strategy: Strategy,
    params: PyTree,
    ts: TrainState,
    population: PyTree,
    result: Evaluation,
    tell_key: PRNGKey,
) -> tuple[TrainState, Metrics]:
    fitness, nonfinite = sanitize(result.fitness)
    strategy_state, strategy_metrics = strategy.tell(
        tell_key, population, result.replace(fitness=fitness), ts.strategy_state, params
    )
    best_idx = jnp.argmax(fitness)
    gen_best = fitness[best_idx]
    improved = gen_best > ts.best_fitness
    candidate = jax.tree_util.tree_map(lambda x: x[best_idx], population)
    best_params = jax.tree_util.tree_map(
        lambda new, old: jnp.where(improved, new, old), candidate, ts.best_params
    )
    obs_norm = ts.obs_norm if result.obs_stats is None else merge(ts.obs_norm, result.obs_stats)
    new_ts = ts.replace(
        strategy_state=strategy_state,
        generation=ts.generation + 1,
        obs_norm=obs_norm,
        best_params=best_params,
        best_fitness=jnp.maximum(ts.best_fitness, gen_best),
    )
    metrics: Metrics = {
        **fitness_stats(fitness),
        "nonfinite": nonfinite,
        "env_steps": result.env_steps,
        "episode_length_max": result.episode_length_max,
        "best_fitness": new_ts.best_fitness,
        "fitness": fitness,
        **{STRATEGY_PREFIX + k: v for k, v in strategy_metrics.items()},
    }
    return new_ts, metrics


def make_generation_step(strategy: Strategy, params: PyTree, evaluate: Evaluator) -> GenerationStep:
    """Builds the pure generation step for a jittable problem.

    Args:
        strategy: a :class:`~evotrain.strategies.base.Strategy`.
        params: the strategy's ``*Params``.
        evaluate: a pure population evaluator (``evaluation.make_evaluator``).

    Returns:
        ``generation_step(train_state) -> (train_state, metrics)``. Metrics hold scalar
        fitness statistics, ``nonfinite`` (count), ``env_steps``, ``best_fitness``,
        ``fitness`` ``(pop_size,)`` and ``strategy/*`` entries.
    """

    def generation_step(ts: TrainState) -> tuple[TrainState, Metrics]:
        ts, population, eval_key, tell_key = _ask(strategy, params, ts)
        result = evaluate(eval_key, population, ts.obs_norm)
        return _tell(strategy, params, ts, population, result, tell_key)

    return generation_step


def host_ask(strategy: Strategy, params: PyTree, fast_compile: bool = False) -> Callable:
    """The jitted ``ask(key, strategy_state) -> (population, strategy_state)`` of host
    problems. Ray workers compile this same program to rebuild a population from the
    strategy's state and the key (:mod:`evotrain.evaluation.ray_pool`), so they get the
    driver's population bit for bit."""
    return jit_program(lambda key, state: strategy.ask(key, state, params), fast_compile)


class HostGenerationStep:
    """The generation step for host-evaluated problems: jitted ask, Python rollouts, jitted tell.

    Args:
        strategy: a :class:`~evotrain.strategies.base.Strategy`.
        params: the strategy's ``*Params``.
        evaluate: a host evaluator ``evaluate(key, population, norm) -> Evaluation``.
        fast_compile: see :func:`~evotrain.training.compile.jit_program`.
        seeds: ``evaluate`` rebuilds the population itself from the strategy's state and
            the ask key (``evaluate.evaluate_seeds``), so parameters need not travel.
    """

    def __init__(
        self,
        strategy: Strategy,
        params: PyTree,
        evaluate: Any,
        fast_compile: bool = False,
        seeds: bool = False,
    ) -> None:
        self._split = jit_program(lambda key: tuple(jax.random.split(key, 4)), fast_compile)
        self.ask = host_ask(strategy, params, fast_compile)
        self._tell = jit_program(
            lambda ts, population, result, key: _tell(
                strategy, params, ts, population, result, key
            ),
            fast_compile,
        )
        self.evaluate = evaluate
        self.seeds = seeds

    size = 1
    """Generations one dispatch runs: Python evaluates between the halves, one at a time."""

    def ready(self, ts: TrainState) -> TrainState:
        """``ts`` as it is: the halves compile on their first call."""
        return ts

    def compile_ahead(self, ts: TrainState, generation_seconds: float | None = None) -> bool:
        """Nothing to compile ahead: a host generation has one shape."""
        return False

    def dispatch(
        self, ts: TrainState, n: int = 1
    ) -> tuple[TrainState, list[tuple[Metrics, PyTree]]]:
        """One generation (``n`` must be 1), its metrics and best-so-far individual read
        back to the host."""
        if n != 1:
            raise ValueError(f"a host env's dispatch runs 1 generation, not {n}.")
        ts, metrics = self(ts)
        return ts, [jax.device_get((metrics, ts.best_params))]

    def __call__(self, ts: TrainState) -> tuple[TrainState, Metrics]:
        key, ask_key, eval_key, tell_key = self._split(ts.key)
        population, strategy_state = self.ask(ask_key, ts.strategy_state)
        if self.seeds:
            result = self.evaluate.evaluate_seeds(
                ask_key, ts.strategy_state, leading(population), eval_key, ts.obs_norm
            )
        else:
            result = self.evaluate(eval_key, population, ts.obs_norm)
        ts = ts.replace(key=key, strategy_state=strategy_state)
        return self._tell(ts, population, result, tell_key)
