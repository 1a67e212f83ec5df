"""Episodes of a batch of policies in a jittable env.

One ``lax.while_loop`` steps the whole batch; it ends when every episode is done or the
horizon is reached. An episode's return stops at its first ``done`` (later rewards are
masked, there is no auto-reset), and only steps actually taken are counted.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.envs.base import JaxEnv
from evotrain.envs.descriptors import Descriptor
from evotrain.evaluation.act import Actor
from evotrain.evaluation.normalization import NormState, ObsBatchStats
from evotrain.networks.base import Network
from evotrain.types import Array, PRNGKey, PyTree


@struct.dataclass
class RolloutResult:
    """Per-episode results of a batch.

    Attributes:
        returns: ``(batch,)`` undiscounted returns up to the first done.
        lengths: ``(batch,)`` int32 steps taken.
        obs_stats: sums over the observations the policies saw (None if not collected).
        descriptors: ``(batch, d)`` each episode's behaviour descriptor (None if none was
            asked for).
    """

    returns: Array
    lengths: Array
    obs_stats: ObsBatchStats | None
    descriptors: Array | None = None


def rollout_batch(
    env: JaxEnv,
    network: Network,
    params: PyTree,
    keys: Array,
    max_steps: int,
    norm: NormState | None,
    collect_obs_stats: bool,
    descriptor: Descriptor | None = None,
) -> RolloutResult:
    """Runs one episode per batch lane.

    Args:
        env: a jittable env.
        network: the policy network; each lane's plan is prepared once, before the loop.
        params: batched network parameters, leading axis ``batch``.
        keys: ``(batch,)`` episode keys.
        max_steps: the horizon.
        norm: observation statistics to normalize with (None: raw observations).
        collect_obs_stats: whether to sum observations for the running normalizer.
        descriptor: the behaviour descriptor to compute from each step's state (None: the
            loop carries nothing for it).

    Returns:
        A :class:`RolloutResult`.
    """
    batch = keys.shape[0]
    obs_size = env.spec.obs_size
    reset_keys = jax.vmap(lambda k: jax.random.fold_in(k, 0))(keys)
    states = jax.vmap(env.reset)(reset_keys)
    actor = Actor(network, env.spec.action)
    plans, carries = jax.vmap(actor.start)(params)
    policy = jax.vmap(actor.step, in_axes=(0, 0, 0, None))
    step = jax.vmap(env.step)

    def cond(carry):
        t, _, _, alive, *_ = carry
        return (t < max_steps) & jnp.any(alive)

    def body(carry):
        t, states, memory, alive, returns, lengths, obs_sum, obs_sq, described = carry
        actions, memory = policy(plans, memory, states.obs, norm)
        step_keys = jax.vmap(lambda k: jax.random.fold_in(k, t + 1))(keys)
        nxt = step(step_keys, states, actions)
        reward = jnp.where(alive, nxt.reward, 0.0)
        if collect_obs_stats:
            seen = jnp.where(alive[:, None], states.obs, 0.0)
            obs_sum = obs_sum + seen.sum(0)
            obs_sq = obs_sq + jnp.square(seen).sum(0)
        if descriptor is not None:
            described = _accumulate(descriptor, described, nxt, alive)
        returns = returns + reward
        lengths = lengths + alive.astype(jnp.int32)
        alive = alive & ~nxt.done
        return t + 1, nxt, memory, alive, returns, lengths, obs_sum, obs_sq, described

    stat_shape = (obs_size,) if collect_obs_stats else (0,)
    init = (
        jnp.zeros((), jnp.int32),
        states,
        carries,
        jnp.ones((batch,), bool),
        jnp.zeros((batch,), jnp.float32),
        jnp.zeros((batch,), jnp.int32),
        jnp.zeros(stat_shape, jnp.float32),
        jnp.zeros(stat_shape, jnp.float32),
        () if descriptor is None else jnp.zeros((batch, descriptor.size), jnp.float32),
    )
    *_, returns, lengths, obs_sum, obs_sq, described = jax.lax.while_loop(cond, body, init)
    stats = None
    if collect_obs_stats:
        stats = ObsBatchStats(count=lengths.sum().astype(jnp.float32), sum=obs_sum, sumsq=obs_sq)
    if descriptor is None:
        described = None
    elif descriptor.reduce == "mean":
        described = described / jnp.maximum(lengths, 1)[:, None].astype(jnp.float32)
    return RolloutResult(returns=returns, lengths=lengths, obs_stats=stats, descriptors=described)


def _accumulate(descriptor: Descriptor, described: Array, states: PyTree, alive: Array) -> Array:
    """Adds (``"mean"``) or keeps (``"last"``) the feature of the states the alive lanes'
    step led to; ``described`` is ``(batch, d)``."""
    feature = jax.vmap(descriptor.feature)(states).astype(jnp.float32)
    feature = feature.reshape(alive.shape[0], descriptor.size)
    if descriptor.reduce == "mean":
        return described + jnp.where(alive[:, None], feature, 0.0)
    return jnp.where(alive[:, None], feature, described)


def episode_keys(key: PRNGKey, n_episodes: int) -> Array:
    """``(n_episodes,)`` keys shared by every individual of a generation (common random numbers)."""
    return jax.random.split(key, n_episodes)
