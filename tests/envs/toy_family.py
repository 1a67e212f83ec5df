"""A whole env family in one module, as :mod:`evotrain.envs.registry` asks: ids
``"toy:Line-v0"`` (reach 1.0 from 0.0 on a line in ``max_steps`` moves; reward: minus the
distance after each move)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from evotrain.envs.base import EnvState, JaxEnv
from evotrain.envs.spec import Box, EnvSpec

IDS = ("Line-v0",)


class Line:
    """The raw env: a point on a line and its goal."""

    goal = 1.0


class ToyEnv(JaxEnv):
    """Adapter over :class:`Line`: observation ``(position, goal)``, action a move in
    [-0.5, 0.5]."""

    def __init__(self, env: Line, max_steps: int = 10) -> None:
        self.raw = env
        self.spec = EnvSpec(
            env_id="toy:Line-v0",
            family="toy",
            obs_size=2,
            action=Box((-0.5,), (0.5,)),
            max_steps=max_steps,
        )

    def _state(self, position, reward, done):
        obs = jnp.stack([position, jnp.asarray(self.raw.goal, jnp.float32)])
        return EnvState(inner=position, obs=obs, reward=reward, done=done)

    def reset(self, key):
        del key
        return self._state(jnp.zeros((), jnp.float32), jnp.zeros(()), jnp.zeros((), bool))

    def step(self, key, state, action):
        del key
        position = state.inner + action[0]
        return self._state(position, -jnp.abs(self.raw.goal - position), jnp.zeros((), bool))


def registered_ids() -> list[str]:
    return list(IDS)


def from_id(name: str, **kwargs: Any) -> ToyEnv | None:
    return ToyEnv(Line(), **kwargs) if name in IDS else None


def from_object(env: Any, **kwargs: Any) -> ToyEnv | None:
    return ToyEnv(env, **kwargs) if isinstance(env, Line) else None
