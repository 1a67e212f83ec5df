"""``evaluate_policy``: SB3's evaluation helper for every env family.

Episode ``i`` starts from the key ``split(key(seed), n)[i]`` (jittable envs) or the seed
``seed + i`` (Gymnasium), so evaluations are reproducible. An evotrain model evaluated
deterministically on a jittable env runs one jitted rollout, the same code as training;
any other ``predict``-able model is stepped from Python.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.envs import Env, FunctionFit, HostEnv, JaxEnv, make_env
from evotrain.envs.base import EnvState
from evotrain.evaluation.rollout import episode_keys


def evaluate_policy(
    model: Any,
    env: Any,
    n_eval_episodes: int = 10,
    deterministic: bool = True,
    reward_threshold: float | None = None,
    return_episode_rewards: bool = False,
    *,
    seed: int = 0,
) -> tuple[float, float] | tuple[list[float], list[int]]:
    """Runs ``n_eval_episodes`` episodes and reports the returns.

    Args:
        model: anything with ``predict(obs, state, episode_start, deterministic)``.
        env: env id, env object or adapter.
        n_eval_episodes: number of episodes.
        deterministic: passed to ``predict``.
        reward_threshold: raise if the mean return is below it.
        return_episode_rewards: return per-episode lists instead of mean and std.
        seed: seed of the evaluation episodes.

    Returns:
        ``(mean_reward, std_reward)``, or ``(episode_rewards, episode_lengths)`` when
        ``return_episode_rewards``. For function-fitting problems an episode's reward is the
        fitness (negative MSE by default) and its length the number of samples.

    Raises:
        ValueError: if ``n_eval_episodes < 1`` or the mean is below ``reward_threshold``.
    """
    if n_eval_episodes < 1:
        raise ValueError(f"n_eval_episodes must be at least 1, got {n_eval_episodes}.")
    adapter = _adapter(model, env)
    rewards, lengths = episode_returns(adapter, model, n_eval_episodes, deterministic, seed)
    mean, std = float(np.mean(rewards)), float(np.std(rewards))
    if reward_threshold is not None and mean < reward_threshold:
        raise ValueError(f"Mean reward {mean:.4g} is below the threshold {reward_threshold:.4g}.")
    if return_episode_rewards:
        return [float(r) for r in rewards], [int(n) for n in lengths]
    return mean, std


def _adapter(model: Any, env: Any) -> Env:
    """The env adapter; an id equal to the model's own env id reuses the model's adapter."""
    if isinstance(env, Env):
        return env
    own = model.get_env() if hasattr(model, "get_env") else None
    if isinstance(env, str) and own is not None and env in (own.spec.env_id, _bare(own)):
        return own
    return make_env(env)


def _bare(env: Env) -> str:
    return env.spec.env_id.split(":", 1)[-1]


@functools.singledispatch
def episode_returns(
    env: Env, model: Any, n: int, deterministic: bool, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(returns (n,), lengths (n,))`` of ``n`` episodes of ``model`` on ``env``.

    Dispatches on the env adapter's type (JAX envs: one jitted rollout when the model has
    one; Gymnasium: stepped on the host; function fitting: one scoring pass). An env family
    of its own registers with ``@episode_returns.register``.

    Raises:
        TypeError: for an adapter type nothing is registered for.
    """
    raise TypeError(f"Cannot evaluate on {type(env).__name__}.")


@episode_returns.register
def _function_episodes(
    env: FunctionFit, model: Any, n: int, deterministic: bool, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    del deterministic, seed  # one deterministic pass over the samples
    outputs, _ = model.predict(env.inputs, deterministic=True)
    outputs = np.asarray(outputs, np.float32).reshape(env.targets.shape)
    score = float(env.score(jnp.asarray(outputs)))
    return np.full(n, score), np.full(n, env.inputs.shape[0])


@episode_returns.register
def _jax_episodes(
    env: JaxEnv, model: Any, n: int, deterministic: bool, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    keys = episode_keys(jax.random.key(seed), n)
    fast = getattr(model, "jitted_rollout", None)
    if deterministic and fast is not None:
        returns, lengths = fast(keys, env)
        return np.asarray(returns, np.float64), np.asarray(lengths)
    return stepped_returns(model, env, keys, deterministic)


def stepped_returns(
    model: Any, env: JaxEnv, keys: jax.Array, deterministic: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``(n,)`` float64 and lengths ``(n,)`` of :func:`stepped_episodes`' episodes,
    each up to its first ``done`` (the episodes a rollout video draws)."""
    n = keys.shape[0]
    alive = np.ones(n, bool)
    returns = np.zeros(n, np.float64)
    lengths = np.zeros(n, np.int64)
    for t, states in enumerate(stepped_episodes(model, env, keys, deterministic)):
        if t == 0:
            continue
        returns += np.where(alive, np.asarray(states.reward, np.float64), 0.0)
        lengths += alive
        alive &= ~np.asarray(states.done)
        if not alive.any():
            break
    return returns, lengths


def stepped_episodes(
    model: Any, env: JaxEnv, keys: jax.Array, deterministic: bool = True
) -> Iterator[EnvState]:
    """Steps ``len(keys)`` episodes from Python with ``model.predict``.

    Episode ``i`` is reset with ``fold_in(keys[i], 0)`` and step ``t`` uses
    ``fold_in(keys[i], t)``, as in the jitted rollout, so both give the same episodes.

    Args:
        model: anything with ``predict(obs, state, episode_start, deterministic)``.
        env: a jittable env.
        keys: ``(n,)`` episode keys.
        deterministic: passed to ``predict``.

    Yields:
        The batched :class:`~evotrain.envs.base.EnvState` (leading axis ``n``) after the
        reset, then after each step, up to the env's horizon. Episodes are not reset:
        the caller reads ``done`` and stops.
    """
    reset = jax.jit(jax.vmap(env.reset))
    step = jax.jit(jax.vmap(env.step))
    fold_in = jax.jit(jax.vmap(jax.random.fold_in, in_axes=(0, None)))  # traced once
    n = keys.shape[0]
    states = reset(fold_in(keys, 0))
    yield states
    memory, starts = None, np.ones(n, bool)
    for t in range(env.spec.max_steps):
        actions, memory = model.predict(
            np.asarray(states.obs), memory, starts, deterministic=deterministic
        )
        starts = np.zeros(n, bool)
        states = step(fold_in(keys, t + 1), states, jnp.asarray(actions))
        yield states


@episode_returns.register
def _host_episodes(
    env: HostEnv, model: Any, n: int, deterministic: bool, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    vec = env.make_vector(n)
    try:
        obs, _ = vec.reset(seed=[seed + i for i in range(n)])
        alive = np.ones(n, bool)
        returns = np.zeros(n, np.float64)
        lengths = np.zeros(n, np.int64)
        memory, starts = None, np.ones(n, bool)
        for _ in range(env.spec.max_steps):
            actions, memory = model.predict(
                env.flatten_obs(obs), memory, starts, deterministic=deterministic
            )
            starts = np.zeros(n, bool)
            obs, reward, terminated, truncated, _ = vec.step(np.asarray(actions))
            returns += np.where(alive, np.asarray(reward, np.float64), 0.0)
            lengths += alive
            alive &= ~(np.asarray(terminated) | np.asarray(truncated))
            if not alive.any():
                break
    finally:
        vec.close()
    return returns, lengths
