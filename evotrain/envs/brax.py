"""Brax environments as :class:`~evotrain.envs.base.JaxEnv` (``"brax:hopper"``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp

from evotrain.envs.base import EnvState, JaxEnv, from_package
from evotrain.envs.descriptors import Descriptor
from evotrain.envs.spec import Box, EnvSpec
from evotrain.limits import check_episode_steps
from evotrain.runtime.quiet import quiet_brax
from evotrain.types import Array, PRNGKey

DEFAULT_EPISODE_LENGTH = 1000
FEET: dict[str, tuple[str, ...] | None] = {
    "hopper": ("foot",),
    "walker2d": ("foot", "foot_left"),
    "halfcheetah": ("bfoot", "ffoot"),
    "humanoid": ("left_foot", "right_foot"),
    "ant": None,
}
"""The links whose ground contact ``"feet_contact"`` measures, by Brax env name (None:
every link without a child link, as for the ant, whose four feet are unnamed)."""


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

    def descriptors(self) -> Mapping[str, Descriptor]:
        """``"final_xy"``: where the first body (a walker's torso) ended, ``(2,)``; and for
        the walkers of :data:`FEET`, ``"feet_contact"``: the proportion of steps each foot
        touched the ground, ``(feet,)`` in [0, 1] (contacts are recomputed from the state,
        so only a run that asks for it pays for them)."""
        table = {
            "final_xy": Descriptor(
                "final_xy",
                2,
                feature=lambda state: state.inner.pipeline_state.x.pos[0, :2],
                reduce="last",
                doc="the x-y position of the first body when the episode ended",
            )
        }
        feet = self._feet()
        if feet:
            table["feet_contact"] = Descriptor(
                "feet_contact",
                len(feet),
                feature=lambda state: self._touching(state, feet),
                reduce="mean",
                low=(0.0,) * len(feet),
                high=(1.0,) * len(feet),
                doc="the proportion of steps each foot touched the ground",
            )
        return table

    def _feet(self) -> tuple[int, ...]:
        """The link indices of this env's feet (empty when it declares none)."""
        name = self.spec.env_id.split(":", 1)[1]
        if name not in FEET:
            return ()
        sys = self.raw.sys
        names = FEET[name]
        if names is None:
            parents = list(sys.link_parents)
            return tuple(i for i in range(len(parents)) if i not in parents)
        return tuple(sys.link_names.index(n) for n in names)

    def _touching(self, state: EnvState, feet: tuple[int, ...]) -> Array:
        """``(len(feet),)`` float32: 1 where a foot is in contact (penetration) this step."""
        from brax import contact

        found = contact.get(self.raw.sys, state.inner.pipeline_state.x)
        if found is None:
            return jnp.zeros((len(feet),), jnp.float32)
        touching = found.dist < 0.0
        a, b = found.link_idx
        return jnp.stack([jnp.any(touching & ((a == f) | (b == f))) for f in feet]).astype(
            jnp.float32
        )
