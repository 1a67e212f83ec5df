"""Brax environments as :class:`~evotrain.envs.base.JaxEnv` (``"brax:hopper"``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from evotrain.envs.base import EnvState, JaxEnv, from_package
from evotrain.envs.spec import Box, EnvSpec
from evotrain.limits import check_episode_steps
from evotrain.runtime.quiet import quiet_brax
from evotrain.types import Array, PRNGKey

DEFAULT_EPISODE_LENGTH = 1000


def registered_ids() -> list[str]:
    """Every environment name in ``brax.envs``."""
    with quiet_brax():
        from brax import envs

    return sorted(envs._envs)  # noqa: SLF001 - brax exposes no public listing


def from_id(name: str, **kwargs: Any) -> BraxEnv | None:
    """The adapter for a ``brax.envs`` name (None when Brax has no such env); the env
    registry's hook (:mod:`evotrain.envs.registry`)."""
    return BraxEnv(name, **kwargs) if name in registered_ids() else None


def from_object(env: Any, **kwargs: Any) -> BraxEnv | None:
    """The adapter for a Brax env object (None for anything else); the env registry's hook."""
    return BraxEnv(env=env, **kwargs) if from_package(env, "brax") else None


class BraxEnv(JaxEnv):
    """Adapter over a Brax environment, without Brax's episode or auto-reset wrappers.

    Args:
        env_id: a name in ``brax.envs`` (``"hopper"``); None when ``env`` is given.
        env: an already created ``brax.envs.Env`` (optional).
        backend: physics backend (``"generalized"``, ``"positional"``, ``"spring"``, ``"mjx"``);
            None keeps the env's default.
        episode_length: the episode horizon in steps (default 1000).
        **env_kwargs: passed to ``brax.envs.get_environment``.
    """

    def __init__(
        self,
        env_id: str | None = None,
        *,
        env: Any = None,
        backend: str | None = None,
        episode_length: int = DEFAULT_EPISODE_LENGTH,
        **env_kwargs: Any,
    ) -> None:
        episode_length = check_episode_steps("episode_length", episode_length)
        if env is None:
            kwargs = dict(env_kwargs)
            if backend is not None:
                kwargs["backend"] = backend
            with quiet_brax():
                from brax import envs

                env = envs.get_environment(env_id, **kwargs)
        else:
            env_id = env_id or type(env).__name__.lower()
        self.raw = env
        self.backend = backend or getattr(env, "backend", None)
        self.spec = EnvSpec(
            env_id=f"brax:{env_id}",
            family="brax",
            obs_size=self._obs_size(),
            action=Box((-1.0,) * env.action_size, (1.0,) * env.action_size),
            max_steps=int(episode_length),
        )

    def _obs_size(self) -> int:
        """The flat observation's length, from the shapes of a traced reset.

        Brax's own ``observation_size`` runs a reset op by op, which compiles each of its
        several hundred operations separately (half a minute for the hopper on a CPU);
        tracing it once for shapes compiles nothing.
        """
        shape = jax.eval_shape(self.reset, jax.random.PRNGKey(0)).obs.shape
        return int(shape[0])

    def _wrap(self, inner: Any) -> EnvState:
        return EnvState(
            inner=inner,
            obs=jnp.reshape(inner.obs, (-1,)).astype(jnp.float32),
            reward=jnp.asarray(inner.reward, jnp.float32),
            done=jnp.asarray(inner.done, jnp.float32) > 0.5,
        )

    def reset(self, key: PRNGKey) -> EnvState:
        state = self._wrap(self.raw.reset(key))
        return state.replace(reward=jnp.zeros((), jnp.float32), done=jnp.zeros((), bool))

    def step(self, key: PRNGKey, state: EnvState, action: Array) -> EnvState:
        del key  # Brax transitions are deterministic given the state.
        return self._wrap(self.raw.step(state.inner, action))
