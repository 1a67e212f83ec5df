"""The training state: everything a bit-exact resume needs, in one pytree."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.normalization import NormState, init_norm
from evotrain.strategies.base import Strategy
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
