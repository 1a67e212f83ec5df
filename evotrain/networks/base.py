"""What evaluation needs from a network: a per-generation plan and a per-step forward."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from evotrain.types import Array, PyTree


@runtime_checkable
class Network(Protocol):
    """One individual's computation, split so that per-step work stays small.

    ``prepare`` runs once per individual per generation (unpacking, execution plans);
    ``forward`` runs every env step on the prepared plan.
    """

    def prepare(self, params: PyTree) -> PyTree:
        """Turns an individual's parameters into a plan for :meth:`forward`."""
        ...

    def forward(self, plan: PyTree, inputs: Array) -> Array:
        """Outputs ``(..., num_outputs)`` for inputs ``(..., num_inputs)``."""
        ...

    def apply(self, params: PyTree, inputs: Array) -> Array:
        """``forward(prepare(params), inputs)``."""
        ...
