"""Gymnasium environments as :class:`~evotrain.envs.base.HostEnv` (``"gymnasium:CartPole-v1"``).

Gymnasium envs are plain Python, so their rollouts run on the host over a vector env;
the batched policy and the strategy's ask/tell stay jitted.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from evotrain.envs.base import HostEnv
from evotrain.envs.descriptors import Descriptor
from evotrain.envs.spec import Box, Discrete, EnvSpec
from evotrain.limits import check_episode_steps

DEFAULT_MAX_STEPS = 1000

EXTRAS = {
    "gymnasium.envs.mujoco": "gymnasium[mujoco]",
    "gymnasium.envs.box2d": "gymnasium[box2d]",
    "gymnasium.envs.toy_text": "gymnasium[toy-text]",
    "gymnasium.envs.classic_control": "gymnasium[classic-control]",
}
"""Gymnasium env modules and the pip extra that installs what they need."""


class MissingDependencyError(ModuleNotFoundError):
    """A Gymnasium env needs a package that is not installed (the message says which and
    the pip command that installs it)."""


def make_gymnasium(gym_id: str, vector: int | None = None, **kwargs: Any) -> Any:
    """``gymnasium.make(gym_id, **kwargs)`` (or ``make_vec`` with ``vector`` sync copies),
    with a missing package reported as a :class:`MissingDependencyError`."""
    import gymnasium

    try:
        if vector is None:
            return gymnasium.make(gym_id, **kwargs)
        return gymnasium.make_vec(gym_id, num_envs=vector, vectorization_mode="sync", **kwargs)
    except (ModuleNotFoundError, gymnasium.error.DependencyNotInstalled) as err:
        raise MissingDependencyError(_missing_message(gym_id, err)) from err


def _missing_message(gym_id: str, err: Exception) -> str:
    import gymnasium

    entry = gymnasium.spec(gym_id).entry_point
    module = entry if isinstance(entry, str) else getattr(entry, "__module__", "")
    extra = next((e for m, e in EXTRAS.items() if module.startswith(m)), None)
    name = getattr(err, "name", None)
    package = f"the package '{name}'" if name else "a package that is not installed"
    fix = f'pip install "{extra}"' if extra else f"pip install {name or '<the package>'}"
    return f"The Gymnasium env {gym_id!r} needs {package} ({err}). Install it with: {fix}"


def registered_ids() -> list[str]:
    """Every id in Gymnasium's registry."""
    import gymnasium

    return list(gymnasium.registry.keys())


def from_id(name: str, **kwargs: Any) -> GymnasiumEnv | None:
    """The adapter for a Gymnasium id (None when Gymnasium has no such id); the env
    registry's hook (:mod:`evotrain.envs.registry`)."""
    return GymnasiumEnv(name, **kwargs) if name in registered_ids() else None


def from_object(env: Any, **kwargs: Any) -> GymnasiumEnv | None:
    """The adapter for a ``gymnasium.Env`` (None for anything else); the env registry's
    hook."""
    import gymnasium

    return GymnasiumEnv(env=env, **kwargs) if isinstance(env, gymnasium.Env) else None


def _flat_obs_size(space: Any, env_id: str) -> int:
    from gymnasium import spaces

    if isinstance(space, spaces.Box):
        return int(np.prod(space.shape))
    if isinstance(space, spaces.Discrete):
        return int(space.n)
    raise TypeError(
        f"Gymnasium env {env_id!r} has observation space {type(space).__name__}; evotrain supports "
        "Box and Discrete observations (flatten others with a gymnasium wrapper)."
    )


def _action_of(space: Any, env_id: str) -> Discrete | Box:
    from gymnasium import spaces

    if isinstance(space, spaces.Discrete):
        return Discrete(int(space.n))
    if isinstance(space, spaces.Box):
        low = np.asarray(space.low, dtype=np.float64).ravel()
        high = np.asarray(space.high, dtype=np.float64).ravel()
        return Box(tuple(float(x) for x in low), tuple(float(x) for x in high))
    raise TypeError(
        f"Gymnasium env {env_id!r} has action space {type(space).__name__}; evotrain supports "
        "Discrete and Box action spaces."
    )


class GymnasiumEnv(HostEnv):
    """Adapter over a Gymnasium env id (or an env instance, whose spec id is reused).

    Args:
        env_id: a registered Gymnasium id; None when ``env`` is given.
        env: an already created ``gymnasium.Env`` (its ``spec`` is used to build copies).
        max_steps: episode horizon (default: the env's ``max_episode_steps``, else 1000).
        descriptors: behaviour descriptors of your own, by name, besides the built-in
            ``"final_obs"``: each a :class:`~evotrain.envs.descriptors.Descriptor` whose
            ``feature`` maps the flat observation a step led to (``(obs_size,)`` float32
            NumPy) to ``(d,)`` values.
        **make_kwargs: passed to ``gymnasium.make_vec``.
    """

    def __init__(
        self,
        env_id: str | None = None,
        *,
        env: Any = None,
        max_steps: int | None = None,
        descriptors: Mapping[str, Descriptor] | None = None,
        **make_kwargs: Any,
    ) -> None:
        import gymnasium

        if env is None:
            env = make_gymnasium(env_id, **make_kwargs)
        elif env_id is None:
            if env.spec is None:
                raise ValueError(
                    "This Gymnasium env has no spec, so evotrain cannot make copies of it; "
                    "pass its registered id instead (e.g. 'gymnasium:CartPole-v1')."
                )
            env_id = env.spec.id
            make_kwargs = {**env.spec.kwargs, **make_kwargs}
        self.raw = env
        self.make_kwargs = make_kwargs
        self._descriptors = dict(descriptors or {})
        self._gym_id = env_id
        horizon = max_steps if max_steps is None else check_episode_steps("max_steps", max_steps)
        if horizon is None:
            horizon = (
                env.spec.max_episode_steps if env.spec is not None else None
            ) or DEFAULT_MAX_STEPS
        self.obs_is_discrete = isinstance(env.observation_space, gymnasium.spaces.Discrete)
        self.spec = EnvSpec(
            env_id=f"gymnasium:{env_id}",
            family="gymnasium",
            obs_size=_flat_obs_size(env.observation_space, env_id),
            action=_action_of(env.action_space, env_id),
            max_steps=int(horizon),
        )

    def descriptors(self) -> Mapping[str, Descriptor]:
        """``"final_obs"``: the flat observation the episode ended on (bounded where the
        observation space is), and the descriptors given to the constructor."""
        space = self.raw.observation_space
        low = high = None
        if not self.obs_is_discrete:
            lo = np.asarray(space.low, np.float64).ravel()
            hi = np.asarray(space.high, np.float64).ravel()
            if np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)):
                low, high = tuple(lo.tolist()), tuple(hi.tolist())
        final = Descriptor(
            "final_obs",
            self.spec.obs_size,
            feature=lambda obs: obs,
            reduce="last",
            low=low,
            high=high,
            doc="the flat observation the episode ended on",
        )
        return {"final_obs": final, **self._descriptors}

    def make_vector(self, num_envs: int) -> Any:
        return make_gymnasium(self._gym_id, vector=num_envs, **self.make_kwargs)

    def make_single(self) -> Any:
        """One env, as ``gymnasium.make`` builds it (with the registered wrappers)."""
        return make_gymnasium(self._gym_id, **self.make_kwargs)

    def recipe(self) -> Any:
        """A picklable ``() -> GymnasiumEnv`` for another process (a Ray worker). It
        carries the id's registration, so ids registered only in this process (a user's
        own env) work there too."""
        import gymnasium

        registration = gymnasium.registry.get(self._gym_id)
        return functools.partial(
            _rebuild,
            self._gym_id,
            registration,
            self.spec.max_steps,
            self.make_kwargs,
            self._descriptors,
        )

    def flatten_obs(self, obs: np.ndarray) -> np.ndarray:
        """Batched observations ``(n, ...)`` as flat float32 ``(n, obs_size)``."""
        obs = np.asarray(obs)
        if self.obs_is_discrete:
            return np.eye(self.spec.obs_size, dtype=np.float32)[obs.astype(np.int64)]
        return obs.reshape(obs.shape[0], -1).astype(np.float32)


def _rebuild(
    gym_id: str,
    registration: Any,
    max_steps: int,
    make_kwargs: dict[str, Any],
    descriptors: dict[str, Descriptor] | None = None,
) -> GymnasiumEnv:
    import gymnasium

    if gym_id not in gymnasium.registry and registration is not None:
        gymnasium.registry[gym_id] = registration
    return GymnasiumEnv(gym_id, max_steps=max_steps, descriptors=descriptors, **make_kwargs)
