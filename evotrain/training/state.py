"""The training state: everything a bit-exact resume needs, in one pytree."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.normalization import NormState, init_norm
from evotrain.strategies.base import Strategy
from evotrain.training.compile import jit_program
from evotrain.types import Array, PRNGKey, PyTree


@struct.dataclass
class TrainState:
    """One run's state between generations.

    Attributes:
        key: the run's PRNG key (the only stored key).
        strategy_state: the strategy's ``*State``.
        generation: generations completed, ``()`` int32.
        obs_norm: running observation statistics.
        best_params: the best individual evaluated so far (a population member's pytree).
        best_fitness: its fitness, ``()`` (``-inf`` before any finite evaluation).
    """

    key: PRNGKey
    strategy_state: PyTree
    generation: Array
    obs_norm: NormState
    best_params: PyTree
    best_fitness: Array


def init_train_state(
    key: PRNGKey, strategy: Strategy, strategy_params: PyTree, obs_size: int
) -> TrainState:
    """Initializes the strategy and wraps it with counters and bookkeeping.

    Args:
        key: the run's root key.
        strategy: the strategy (see :class:`~evotrain.strategies.base.Strategy`).
        strategy_params: its ``*Params``.
        obs_size: observation size for the normalizer.
    """
    key, init_key = jax.random.split(key)
    strategy_state = strategy.init(init_key, strategy_params)
    template = strategy.policy_params(strategy_state)
    return TrainState(
        key=key,
        strategy_state=strategy_state,
        generation=jnp.zeros((), jnp.int32),
        obs_norm=init_norm(obs_size),
        best_params=jax.tree_util.tree_map(jnp.asarray, template),
        best_fitness=jnp.asarray(-jnp.inf, jnp.float32),
    )


def init_program(strategy: Strategy, obs_size: int, fast_compile: bool = False) -> Any:
    """The jitted ``(key, strategy_params) -> TrainState`` of :func:`init_train_state`.

    Strategies that compare equal by their settings (NEAT's, the seed-chain GA's, and
    OpenAI-ES's and the GA's on equal networks with one optimizer object) share one program
    per settings, so a second model of the same settings, or a load's shape check
    (``jax.eval_shape``), reuses the traced init instead of tracing NEAT's speciation again
    (0.75 s a NEAT load). Strategies compared by identity (evosax's) or holding something
    unhashable get a program of their own.
    """
    if type(strategy).__eq__ is object.__eq__ or not _hashable(strategy):
        return _init_program.__wrapped__(strategy, obs_size, fast_compile)
    return _init_program(strategy, obs_size, fast_compile)


def _hashable(x: Any) -> bool:
    """Whether ``x`` hashes (a strategy holding an unhashable optimizer does not)."""
    try:
        hash(x)
    except TypeError:
        return False
    return True


@functools.lru_cache(maxsize=32)
def _init_program(strategy: Strategy, obs_size: int, fast_compile: bool) -> Any:
    return jit_program(
        lambda key, params: init_train_state(key, strategy, params, obs_size), fast_compile
    )
