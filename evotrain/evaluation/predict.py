"""Acting with one trained individual from the host: ``predict`` and whole-episode rollouts.

The shell's ``predict`` and ``jitted_rollout`` hand their work to a :class:`Predictor`:
it jits the :class:`~evotrain.evaluation.act.Actor` once per model and env and converts
between NumPy observations/memories and the network's batched carry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.envs.base import Env, JaxEnv
from evotrain.evaluation.act import Actor
from evotrain.evaluation.normalization import NormState
from evotrain.evaluation.rollout import rollout_batch
from evotrain.networks.base import Network
from evotrain.types import Array, PRNGKey, PyTree


class Predictor:
    """Jitted acting for one network on one env's spaces.

    Args:
        network: the model's policy network.
        env: the env whose observation size and action space ``predict`` uses.
        obs_normalization: whether observations are normalized with the saved statistics.
        raw_outputs: return the network's outputs instead of actions (function fitting).
        jit: how whole-episode rollouts are jitted (the shell passes its
            :func:`~evotrain.training.compile.jit_program` settings).
    """

    def __init__(
        self,
        network: Network,
        env: Env,
        obs_normalization: bool,
        raw_outputs: bool,
        jit: Callable[[Callable[..., Any]], Any] = jax.jit,
    ) -> None:
        self.network = network
        self.env = env
        self.obs_normalization = obs_normalization
        self._jit = jit
        actor = Actor(network, None if raw_outputs else env.spec.action)
        self._act, self._fresh_carry = _acting_programs(actor, obs_normalization)
        self._rollouts: dict[int, tuple[JaxEnv, Callable[..., Any]]] = {}

    def predict(
        self,
        params: PyTree,
        norm: NormState,
        observation: np.ndarray,
        state: Any,
        episode_start: np.ndarray | None,
        deterministic: bool,
        key: PRNGKey,
    ) -> tuple[np.ndarray, Any]:
        """SB3's ``predict`` for one individual (see ``BaseEvolver.predict``).

        Args:
            params: the individual's parameters.
            norm: the observation statistics (used when normalization is on).
            observation: ``(obs_size,)`` or ``(n, obs_size)``.
            state: the memory returned by the previous call, or None for a fresh one.
            episode_start: ``(n,)`` bool (or a bool): reset those envs' memory.
            deterministic: argmax instead of sampling discrete actions.
            key: the sampling key.

        Returns:
            ``(action, state)``; ``state`` is None for networks without memory.

        Raises:
            ValueError: for observations of the wrong shape.
        """
        obs = np.asarray(observation, dtype=np.float32)
        single = obs.ndim == 1
        batch = obs[None] if single else obs
        size = self.env.spec.obs_size
        if batch.ndim != 2 or batch.shape[1] != size:
            raise ValueError(
                f"predict expects observations of shape ({size},) or (n, {size}) for "
                f"{self.env.spec.env_id}; got {obs.shape}."
            )
        n = batch.shape[0]
        carry = self._fresh_carry(params, n) if state is None else _as_carry(state, single)
        if episode_start is None:
            reset = np.zeros((n,), bool)
        else:
            reset = np.asarray(episode_start, bool).reshape(n)
        action, carry = self._act(
            params,
            norm,
            jnp.asarray(batch),
            carry,
            jnp.asarray(reset),
            key,
            deterministic=bool(deterministic),
        )
        action = np.asarray(action)
        leaves = jax.tree_util.tree_leaves(carry)
        new_state = None
        if leaves:
            new_state = tuple(np.asarray(x[0] if single else x) for x in leaves)
        return (action[0] if single else action), new_state

    def rollout(
        self, params: PyTree, norm: NormState, keys: Array, env: Env | None = None
    ) -> tuple[jax.Array, jax.Array]:
        """Deterministic episodes of one individual, one per key, in one jitted call.

        Args:
            params: the individual's parameters.
            norm: the observation statistics.
            keys: ``(n,)`` episode keys.
            env: a jittable env with the model's sizes (default: this predictor's env).

        Returns:
            ``(returns (n,), lengths (n,))`` over the env's own horizon.

        Raises:
            TypeError: for envs that are not jittable rollouts (Gymnasium, function fitting).
        """
        env = self.env if env is None else env
        if not isinstance(env, JaxEnv):
            raise TypeError(f"{env.spec.env_id} is not a jittable env, so it has no rollout.")
        cached = self._rollouts.get(id(env))
        if cached is None or cached[0] is not env:
            network, use_norm, horizon = self.network, self.obs_normalization, env.spec.max_steps

            def run(params, norm, keys):
                batched = jax.tree_util.tree_map(
                    lambda x: jnp.broadcast_to(x, (keys.shape[0],) + x.shape), params
                )
                norm = norm if use_norm else None
                res = rollout_batch(env, network, batched, keys, horizon, norm, False)
                return res.returns, res.lengths

            cached = (env, self._jit(run))
            self._rollouts[id(env)] = cached
        return cached[1](params, norm, keys)


def _acting_programs(actor: Actor, obs_normalization: bool) -> tuple[Any, Any]:
    """The jitted ``act(params, norm, obs (n, obs_size), carry, reset (n,), key,
    deterministic)`` and ``fresh_carry(params, n)`` of ``actor``: shared by the predictors
    of equal actors (frozen dataclasses compare by configuration), so models of one
    configuration (many loads of one save, agents of one env and size) trace and compile
    ``predict`` once; an actor holding unhashable settings gets its own."""
    try:
        hash(actor)
    except TypeError:
        return _build_acting_programs(actor, obs_normalization)
    return _shared_acting_programs(actor, obs_normalization)


@functools.lru_cache(maxsize=32)
def _shared_acting_programs(actor: Actor, obs_normalization: bool) -> tuple[Any, Any]:
    return _build_acting_programs(actor, obs_normalization)


def _build_acting_programs(actor: Actor, obs_normalization: bool) -> tuple[Any, Any]:
    def act(params, norm, obs, carry, reset, key, deterministic):
        plan, fresh = actor.start(params)
        carry = jax.tree_util.tree_map(
            lambda c, f: jnp.where(reset.reshape((-1,) + (1,) * f.ndim), f, c), carry, fresh
        )
        norm = norm if obs_normalization else None
        outputs, carry = jax.vmap(actor.outputs, in_axes=(None, 0, 0, None))(plan, carry, obs, norm)
        return actor.to_action(outputs, key, deterministic), carry

    def fresh_carry(params, n):
        _, one = actor.start(params)
        return jax.tree_util.tree_map(lambda f: jnp.broadcast_to(f, (n,) + f.shape), one)

    return (
        jax.jit(act, static_argnames=("deterministic",)),
        jax.jit(fresh_carry, static_argnums=1),
    )


def _as_carry(state: Any, single: bool) -> Any:
    """A predict ``state`` (tuple of arrays) as the network's batched carry."""
    leaves = tuple(jnp.asarray(x) for x in state)
    if single:
        leaves = tuple(x[None] for x in leaves)
    return leaves[0] if len(leaves) == 1 else leaves


__all__ = ["Predictor"]
