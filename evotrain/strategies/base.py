"""The strategy contract: pure ``init``/``ask``/``tell`` over typed state.

A strategy is built from a frozen ``*Config`` (settings that fix shapes) and works with a
``*Params`` pytree (numbers one may anneal or sweep). ``tell`` reads the population's
:class:`~evotrain.evaluation.result.Evaluation` (fitness, and behaviour descriptors when a
run asks for them); fitness is always maximized.
Strategies are jit-compatible but never jit themselves; the training step is the one jit.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable
from typing import Any, Protocol, runtime_checkable

from evotrain.evaluation.result import Scores
from evotrain.types import Metrics, PRNGKey, PyTree


@runtime_checkable
class Strategy(Protocol):
    """What the training step needs from an evolutionary algorithm."""

    config: Any

    @property
    def default_params(self) -> PyTree:
        """The strategy's default ``*Params``."""
        ...

    def init(self, key: PRNGKey, params: PyTree) -> PyTree:
        """Creates the initial state."""
        ...

    def ask(self, key: PRNGKey, state: PyTree, params: PyTree) -> tuple[PyTree, PyTree]:
        """Proposes a population ``(pop_size, ...)`` to evaluate; returns it and the state."""
        ...

    def tell(
        self, key: PRNGKey, population: PyTree, evaluation: Scores, state: PyTree, params: PyTree
    ) -> tuple[PyTree, Metrics]:
        """Updates the state from the population's evaluation.

        Args:
            key: the tell key.
            population: what :meth:`ask` proposed (leading axis ``pop_size``).
            evaluation: the population's :class:`~evotrain.evaluation.result.Evaluation`
                (the training step's fitness is finite or ``-inf``, maximized; descriptors
                when the run asked for them), or a bare fitness ``(pop_size,)``
                (:func:`~evotrain.evaluation.result.as_evaluation` reads either).
            state: the state :meth:`ask` returned.
            params: the strategy's ``*Params``.
        """
        ...

    def policy_params(self, state: PyTree) -> PyTree:
        """The parameters a trained model acts with (ES: the mean; GA: the current best)."""
        ...


def callable_key(fn: Any) -> Hashable:
    """How a function a strategy holds (an initializer, an optax transform) takes part in
    the strategy's equality, which decides whether models share a compiled program: a
    method bound to an object compared by value (a network's ``init``) by that function
    and object, so that equal networks make equal strategies; anything else as itself
    (functions and closures by identity)."""
    if inspect.ismethod(fn):
        try:
            hash(fn.__self__)
        except TypeError:  # bound to an unhashable object: by identity
            return fn
        return (fn.__func__, fn.__self__)
    return fn


def value_key(tree: PyTree) -> Hashable:
    """A pytree of numbers (a strategy's ``*Params``) as a hashable value: its structure
    and every leaf's shape, dtype and bytes. Equal params give equal keys, whatever arrays
    hold them."""
    import jax
    import numpy as np

    leaves, treedef = jax.tree_util.tree_flatten(tree)
    arrays = [np.asarray(leaf) for leaf in leaves]
    return (treedef, tuple((a.shape, a.dtype.str, a.tobytes()) for a in arrays))


@functools.lru_cache(maxsize=64)
def shared(factory: Callable[..., Any], *args: Any) -> Any:
    """``factory(*args)``, one object per arguments (an optax optimizer or schedule for a
    learning rate): optax's transforms are pure, so models of equal settings get the same
    object, compare equal and share their compiled program."""
    return factory(*args)


class ConfiguredStrategy:
    """A strategy made from a frozen ``config`` and an optional ``initializer`` (a
    function drawing one individual from a key), equal to another of its class with equal
    ones (their programs are shared; see :func:`callable_key`).

    Args:
        config: shape-fixing settings (a frozen dataclass).
        initializer: draws one individual from a key, or None.
    """

    def __init__(self, config: Any, initializer: Callable[[PRNGKey], Any] | None = None) -> None:
        self.config = config
        self.initializer = initializer

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._key() == self._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.config, callable_key(self.initializer))

    def _draw(self, key: PRNGKey, n: int, d: int, sigma: Any) -> Any:
        """``(n, d)`` float32 individuals: the initializer's draws (zeros without one) plus
        ``sigma`` Gaussian noise."""
        import jax
        import jax.numpy as jnp

        base_key, noise_key = jax.random.split(key)
        if self.initializer is None:
            base = jnp.zeros((n, d), jnp.float32)
        else:
            base = jax.vmap(self.initializer)(jax.random.split(base_key, n)).astype(jnp.float32)
        return base + sigma * jax.random.normal(noise_key, (n, d))
