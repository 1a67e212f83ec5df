"""The environment contract every family is adapted to.

Jittable families (gymnax, brax) implement :class:`JaxEnv`: ``reset(key) -> EnvState`` and
``step(key, state, action) -> EnvState``, pure and vmappable. Gymnasium is adapted to
:class:`HostEnv`, stepped on the host over a vector env. Function fitting is a
:class:`~evotrain.envs.function_fit.FunctionFit` problem, scored without rollouts.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from flax import struct

from evotrain.envs.descriptors import Descriptor, choose
from evotrain.envs.spec import EnvSpec
from evotrain.types import Array, PRNGKey, PyTree


@struct.dataclass
class EnvState:
    """One environment's state after a reset or a step.

    Attributes:
        inner: the family's own state pytree.
        obs: flat observation, ``(obs_size,)`` float32.
        reward: reward of the last step, ``()`` float32 (0 after reset).
        done: whether the episode ended at the last step, ``()`` bool.
    """

    inner: PyTree
    obs: Array
    reward: Array
    done: Array


class Env(abc.ABC):
    """Any adapted environment: it has a spec and a family.

    Evaluation dispatches on the adapter's type (``functools.singledispatch`` in
    :mod:`evotrain.evaluation`), so a new family registers its evaluators there rather than
    being tested for in an ``isinstance`` ladder.

    Attributes:
        spec: sizes, action space and horizon.
        jittable: the population is evaluated inside the jitted generation step (JAX envs,
            function fitting); else on the host between its jitted halves (Gymnasium).
        raw_outputs: ``predict`` returns the network's outputs, not actions (function
            fitting has no action space to map into).
        raw: the object the adapter wraps.
    """

    spec: EnvSpec
    jittable: bool
    raw_outputs: bool = False
    raw: Any
    """The object the adapter wraps (a gymnax env, a brax env, a gymnasium env, ...)."""

    def descriptors(self) -> Mapping[str, Descriptor]:
        """The behaviour descriptors this env declares, by name (none unless its family
        declares some; see :mod:`evotrain.envs.descriptors`)."""
        return {}

    def descriptor(self, name: str) -> Descriptor:
        """The declared descriptor ``name``.

        Raises:
            ValueError: for a name this env does not declare (the others are listed).
        """
        return choose(self.descriptors(), name, self.spec.env_id)


class JaxEnv(Env):
    """A pure, jit- and vmap-compatible environment."""

    jittable = True

    @abc.abstractmethod
    def reset(self, key: PRNGKey) -> EnvState:
        """Starts an episode.

        Args:
            key: PRNG key.

        Returns:
            The initial state, with ``reward == 0`` and ``done == False``.
        """

    @abc.abstractmethod
    def step(self, key: PRNGKey, state: EnvState, action: Array) -> EnvState:
        """Advances one step without auto-reset.

        Args:
            key: PRNG key for stochastic transitions.
            state: the current state.
            action: ``()`` int32 for discrete spaces, ``(dim,)`` float32 for boxes.

        Returns:
            The next state. Stepping past ``done`` is allowed; its values are ignored.
        """


class HostEnv(Env):
    """An environment stepped in Python on the host (Gymnasium)."""

    jittable = False

    @abc.abstractmethod
    def make_vector(self, num_envs: int) -> Any:
        """Creates a Gymnasium vector env of ``num_envs`` copies."""

    @abc.abstractmethod
    def make_single(self) -> Any:
        """Creates one env (a Gymnasium-style ``reset``/``step`` object)."""

    @abc.abstractmethod
    def recipe(self) -> Any:
        """A picklable ``() -> HostEnv`` that rebuilds this adapter in another process."""


def from_package(obj: Any, package: str) -> bool:
    """Whether ``obj``'s class comes from the top-level package ``package`` (how a family
    recognises its own env objects without importing the package)."""
    return type(obj).__module__.split(".")[0] == package
