"""Function fitting: fit a network to inputs -> targets (XOR, a dataset, or a function).

A function-fitting problem is scored without rollouts: the network is applied to every
input row and the fitness is the negative mean squared error (or a given metric), so
higher is better, like a return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.envs.base import Env
from evotrain.envs.descriptors import Descriptor
from evotrain.envs.spec import Box, EnvSpec
from evotrain.types import Array, PRNGKey

Metric = Callable[[Array, Array], Array]
"""``metric(outputs (n, out), targets (n, out)) -> ()``, higher is better."""

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=np.float32)


def negative_mse(outputs: Array, targets: Array) -> Array:
    """Negative mean squared error over all samples and outputs."""
    return -jnp.mean(jnp.square(outputs - targets))


class FunctionFit(Env):
    """A supervised problem: inputs ``(n, in)`` and targets ``(n, out)``.

    Args:
        inputs: ``(n, in)`` array (a 1-D array is one input column).
        targets: ``(n, out)`` array (a 1-D array is one target column).
        metric: ``metric(outputs, targets) -> ()``, maximized; default :func:`negative_mse`.
        name: the id shown in logs and saved with models.
        descriptors: behaviour descriptors of your own, by name: each a
            :class:`~evotrain.envs.descriptors.Descriptor` whose ``feature`` maps an
            individual's outputs on every sample ``(n, out)`` to ``(size,)`` (its
            ``reduce`` is not used: there are no steps). ``"outputs"`` (the outputs
            themselves, flattened, bounded by the targets' range) is always declared.
    """

    jittable = True
    raw_outputs = True

    def __init__(
        self,
        inputs: np.ndarray,
        targets: np.ndarray,
        *,
        metric: Metric | None = None,
        name: str = "custom",
        descriptors: Mapping[str, Descriptor] | None = None,
    ) -> None:
        inputs = np.asarray(inputs, dtype=np.float32)
        targets = np.asarray(targets, dtype=np.float32)
        inputs = inputs[:, None] if inputs.ndim == 1 else inputs
        targets = targets[:, None] if targets.ndim == 1 else targets
        if inputs.ndim != 2 or targets.ndim != 2:
            raise ValueError(
                f"inputs and targets must be 2-D (samples, features); got shapes "
                f"{inputs.shape} and {targets.shape}."
            )
        if inputs.shape[0] != targets.shape[0]:
            raise ValueError(
                f"inputs have {inputs.shape[0]} samples but targets have {targets.shape[0]}; "
                "each input row needs one target row."
            )
        if inputs.shape[0] == 0:
            raise ValueError("A function-fitting problem needs at least one sample.")
        self.raw = None
        self.inputs = inputs
        self.targets = targets
        self.metric: Metric = metric if metric is not None else negative_mse
        self._descriptors = dict(descriptors or {})
        n_out = targets.shape[1]
        self.spec = EnvSpec(
            env_id=f"function:{name}" if name != "xor" else "xor",
            family="function",
            obs_size=int(inputs.shape[1]),
            action=Box((-np.inf,) * n_out, (np.inf,) * n_out),
            max_steps=1,
            target_range=(float(targets.min()), float(targets.max())),
        )

    @classmethod
    def xor(cls) -> FunctionFit:
        """The four XOR cases, fitness ``-MSE``."""
        return cls(XOR_INPUTS, XOR_TARGETS, name="xor")

    @classmethod
    def from_function(
        cls,
        fn: Callable[[Array], Array],
        low: np.ndarray | float,
        high: np.ndarray | float,
        *,
        num_inputs: int,
        num_samples: int = 256,
        key: PRNGKey | None = None,
        metric: Metric | None = None,
        name: str = "function",
    ) -> FunctionFit:
        """Samples ``num_samples`` inputs uniformly in ``[low, high]`` and their targets ``fn(x)``.

        Args:
            fn: maps a batch of inputs ``(n, num_inputs)`` to targets ``(n,)`` or ``(n, out)``.
            low: lower input bound (scalar or ``(num_inputs,)``).
            high: upper input bound.
            num_inputs: input dimension.
            num_samples: number of sampled points.
            key: PRNG key for the sample (default ``jax.random.key(0)``).
            metric: as in the constructor.
            name: the problem's name.
        """
        if num_samples <= 0:
            raise ValueError(f"num_samples must be positive, got {num_samples}.")
        key = jax.random.key(0) if key is None else key
        x = jax.random.uniform(
            key, (num_samples, num_inputs), minval=jnp.asarray(low), maxval=jnp.asarray(high)
        )
        y = fn(x)
        return cls(np.asarray(x), np.asarray(y), metric=metric, name=name)

    def descriptors(self) -> Mapping[str, Descriptor]:
        """``"outputs"``: an individual's outputs on every sample, ``(n * out,)``, within
        the targets' range (what the network computes, as a behaviour); and the
        descriptors given to the constructor."""
        size = self.targets.size
        low, high = self.spec.target_range or (0.0, 1.0)
        outputs = Descriptor(
            "outputs",
            size,
            feature=lambda outputs: outputs.reshape(-1),
            reduce="last",
            low=(low,) * size,
            high=(high,) * size,
            doc="the outputs on every sample, flattened",
        )
        return {"outputs": outputs, **self._descriptors}

    def score(self, outputs: Array) -> Array:
        """Fitness of one individual's outputs ``(n, out)`` on all samples, ``()``."""
        return self.metric(outputs, jnp.asarray(self.targets))


PROBLEMS: dict[str, Callable[[], FunctionFit]] = {"xor": FunctionFit.xor}
"""The function problems an id names (``"xor"``, or ``"function:xor"``)."""


def registered_ids() -> list[str]:
    """Every function problem's id; the env registry's hook (:mod:`evotrain.envs.registry`)."""
    return list(PROBLEMS)


def from_id(name: str, **kwargs: Any) -> FunctionFit | None:
    """The function problem ``name`` (any case; None when there is none); the env
    registry's hook.

    Raises:
        ValueError: for env options: a function problem has none.
    """
    make = PROBLEMS.get(name.lower())
    if make is None:
        return None
    if kwargs:
        raise ValueError(
            f"The function problem {name!r} takes no env options; got {sorted(kwargs)}. "
            "Leave env_kwargs out."
        )
    return make()


def from_object(env: Any, **kwargs: Any) -> None:
    """None: a :class:`FunctionFit` is already an adapter; the env registry's hook."""
    del env, kwargs
