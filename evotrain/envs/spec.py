"""One description of an environment for every family: observation size, actions, horizon."""

from __future__ import annotations

import dataclasses
import math

import jax.numpy as jnp
import numpy as np

from evotrain.limits import check_episode_steps
from evotrain.types import Array


@dataclasses.dataclass(frozen=True)
class Discrete:
    """``n`` discrete actions; a network emits ``n`` outputs and the action is their argmax."""

    n: int

    @property
    def num_outputs(self) -> int:
        return self.n


class ActionRangeWarning(UserWarning):
    """A policy's output function keeps its actions inside part of a box action's range
    (bounded outputs behind the tanh squash of :func:`outputs_to_action`)."""


@dataclasses.dataclass(frozen=True)
class Box:
    """A continuous action vector with per-dimension bounds.

    A network emits one output per dimension. Where both bounds of a dimension are
    finite the output is squashed into them with ``low + (tanh(x) + 1) / 2 * (high - low)``;
    where a bound is infinite the raw output is the action (function fitting uses this).
    """

    low: tuple[float, ...]
    high: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.low) != len(self.high):
            raise ValueError(
                f"Box bounds differ in length: low has {len(self.low)}, high {len(self.high)}."
            )
        for lo, hi in zip(self.low, self.high):
            if not lo <= hi:
                raise ValueError(f"Box bound low={lo} is above high={hi}.")

    @property
    def num_outputs(self) -> int:
        return len(self.low)

    @property
    def bounded(self) -> tuple[bool, ...]:
        return tuple(math.isfinite(lo) and math.isfinite(hi) for lo, hi in zip(self.low, self.high))


ActionSpace = Discrete | Box


@dataclasses.dataclass(frozen=True)
class EnvSpec:
    """What a policy must fit and how long an episode may last.

    Attributes:
        env_id: the canonical id, with its family prefix (``"gymnax:CartPole-v1"``).
        family: ``"gymnax"``, ``"brax"``, ``"gymnasium"`` or ``"function"``.
        obs_size: length of the flat observation vector.
        action: the action space.
        max_steps: the episode horizon (steps); 1 for function fitting.
        target_range: function fitting's ``(min, max)`` over all targets, the range its raw
            outputs must cover (NEAT picks its output nodes' function from it); None for
            envs that act.
    """

    env_id: str
    family: str
    obs_size: int
    action: ActionSpace
    max_steps: int
    target_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        # Every family's horizon (gymnax max_steps, Brax episode_length, ...) lands here.
        check_episode_steps(f"{self.env_id}: the episode horizon (max_steps)", self.max_steps)

    @property
    def num_outputs(self) -> int:
        return self.action.num_outputs

    @property
    def interface(self) -> tuple[int, str, int]:
        """``(obs_size, action kind, num_outputs)``: what a trained policy depends on. Envs
        with equal interfaces can swap for one another (``set_env``, evaluation, ``load``)."""
        return (self.obs_size, type(self.action).__name__, self.num_outputs)

    def describe(self) -> str:
        if isinstance(self.action, Discrete):
            act = f"Discrete({self.action.n})"
        else:
            act = f"Box({self.action.num_outputs})"
        return f"{self.env_id} (obs {self.obs_size}, actions {act}, max_steps {self.max_steps})"


def outputs_to_action(action: ActionSpace, outputs: Array) -> Array:
    """Maps network outputs to an environment action, deterministically.

    Args:
        action: the action space.
        outputs: network outputs, ``(..., num_outputs)``.

    Returns:
        ``(...,)`` int32 actions for :class:`Discrete`; ``(..., dim)`` floats for :class:`Box`.
    """
    if isinstance(action, Discrete):
        return jnp.argmax(outputs, axis=-1).astype(jnp.int32)
    low = np.asarray(action.low, dtype=np.float32)
    high = np.asarray(action.high, dtype=np.float32)
    bounded = np.asarray(action.bounded)
    if not bounded.any():
        return outputs
    safe_low = np.where(bounded, low, 0.0).astype(np.float32)
    safe_span = np.where(bounded, high - low, 0.0).astype(np.float32)
    squashed = safe_low + (jnp.tanh(outputs) + 1.0) * 0.5 * safe_span
    return jnp.where(bounded, squashed, outputs)
