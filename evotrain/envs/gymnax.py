"""gymnax environments as :class:`~evotrain.envs.base.JaxEnv` (``"gymnax:CartPole-v1"``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np

from evotrain.envs.base import EnvState, JaxEnv, from_package
from evotrain.envs.descriptors import Descriptor
from evotrain.envs.spec import Box, Discrete, EnvSpec
from evotrain.limits import check_episode_steps
from evotrain.types import Array, PRNGKey


def registered_ids() -> list[str]:
    """Every id gymnax registers."""
    import gymnax

    return list(gymnax.registered_envs)


def from_id(name: str, **kwargs: Any) -> GymnaxEnv | None:
    """The adapter for a gymnax id (None when gymnax has no such id); the env registry's
    hook (:mod:`evotrain.envs.registry`)."""
    return GymnaxEnv(name, **kwargs) if name in registered_ids() else None


def from_object(env: Any, **kwargs: Any) -> GymnaxEnv | None:
    """The adapter for a gymnax env, or an ``(env, env_params)`` pair (None for anything
    else); the env registry's hook."""
    if isinstance(env, tuple) and len(env) == 2 and from_package(env[0], "gymnax"):
        return GymnaxEnv(env=env[0], env_params=env[1], **kwargs)
    return GymnaxEnv(env=env, **kwargs) if from_package(env, "gymnax") else None


def _spec_from(env_id: str, env: Any, params: Any, max_steps: int | None) -> EnvSpec:
    from gymnax.environments import spaces

    obs_shape = env.observation_space(params).shape
    space = env.action_space(params)
    if isinstance(space, spaces.Discrete):
        action = Discrete(int(space.n))
    elif isinstance(space, spaces.Box):
        shape = tuple(space.shape) or (1,)
        low = np.broadcast_to(np.asarray(space.low, dtype=np.float64), shape).ravel()
        high = np.broadcast_to(np.asarray(space.high, dtype=np.float64), shape).ravel()
        action = Box(tuple(float(x) for x in low), tuple(float(x) for x in high))
    else:
        raise TypeError(
            f"gymnax env {env_id!r} has action space {type(space).__name__}; evotrain supports "
            "Discrete and Box action spaces."
        )
    if max_steps is not None:
        horizon = check_episode_steps("max_steps", max_steps)
    else:
        horizon = int(params.max_steps_in_episode)
    return EnvSpec(
        env_id=f"gymnax:{env_id}",
        family="gymnax",
        obs_size=int(np.prod(obs_shape)),
        action=action,
        max_steps=horizon,
    )


class GymnaxEnv(JaxEnv):
    """Adapter over a gymnax environment and its params.

    Steps use gymnax's ``step_env`` (no auto-reset); the episode horizon is
    ``max_steps`` (default: the env's ``max_steps_in_episode``).

    Args:
        env_id: a gymnax id, e.g. ``"CartPole-v1"`` (None when ``env`` is given).
        env: an already created gymnax environment (optional).
        env_params: its params (default: ``env.default_params``).
        max_steps: episode horizon override.
    """

    def __init__(
        self,
        env_id: str | None = None,
        *,
        env: Any = None,
        env_params: Any = None,
        max_steps: int | None = None,
    ) -> None:
        if env is None:
            import gymnax

            env, default_params = gymnax.make(env_id)
            env_params = default_params if env_params is None else env_params
        else:
            env_id = env_id or env.name
            env_params = env.default_params if env_params is None else env_params
        self.raw = env
        self.env_params = env_params
        self.spec = _spec_from(env_id, env, env_params, max_steps)
        self._box = isinstance(self.spec.action, Box)
        self._box_shape = tuple(env.action_space(env_params).shape)

    def _obs(self, obs: Array) -> Array:
        return jnp.reshape(obs, (-1,)).astype(jnp.float32)

    def reset(self, key: PRNGKey) -> EnvState:
        obs, inner = self.raw.reset_env(key, self.env_params)
        return EnvState(
            inner=inner,
            obs=self._obs(obs),
            reward=jnp.zeros((), jnp.float32),
            done=jnp.zeros((), bool),
        )

    def step(self, key: PRNGKey, state: EnvState, action: Array) -> EnvState:
        if self._box:
            action = jnp.reshape(action, self._box_shape)
        obs, inner, reward, done, _ = self.raw.step_env(key, state.inner, action, self.env_params)
        return EnvState(
            inner=inner,
            obs=self._obs(obs),
            reward=jnp.asarray(reward, jnp.float32).reshape(()),
            done=jnp.asarray(done, bool).reshape(()),
        )

    def descriptors(self) -> Mapping[str, Descriptor]:
        """``"final_obs"``: the observation the episode ended on, ``(obs_size,)``, bounded
        by the observation space where it is finite."""
        space = self.raw.observation_space(self.env_params)
        size = self.spec.obs_size
        shape = tuple(getattr(space, "shape", ())) or (1,)
        bounds = [
            np.broadcast_to(np.asarray(getattr(space, side, np.inf), np.float64), shape).ravel()
            for side in ("low", "high")
        ]
        finite = all(b.size == size and np.isfinite(b).all() for b in bounds)
        low, high = (tuple(map(float, b)) if finite else None for b in bounds)
        return {
            "final_obs": Descriptor(
                "final_obs",
                size,
                feature=lambda state: state.obs,
                reduce="last",
                low=low,
                high=high,
                doc="the observation the episode ended on",
            )
        }
