"""The strategy contract: pure ``init``/``ask``/``tell`` over typed state.

A strategy is built from a frozen ``*Config`` (settings that fix shapes) and works with a
``*Params`` pytree (numbers one may anneal or sweep). Fitness is always maximized.
Strategies are jit-compatible but never jit themselves; the training step is the one jit.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from evotrain.types import Fitness, Metrics, PRNGKey, PyTree


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
        self, key: PRNGKey, population: PyTree, fitness: Fitness, state: PyTree, params: PyTree
    ) -> tuple[PyTree, Metrics]:
        """Updates the state from the population's finite-or-``-inf`` fitness (maximized)."""
        ...

    def policy_params(self, state: PyTree) -> PyTree:
        """The parameters a trained model acts with (ES: the mean; GA: the current best)."""
        ...
