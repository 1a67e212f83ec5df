"""What evaluation needs from a network: a per-generation plan and a per-step update."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from evotrain.types import Array, PyTree


@runtime_checkable
class Network(Protocol):
    """One individual's computation, split so that per-step work stays small.

    ``prepare`` runs once per individual per generation (unpacking, execution plans);
    ``step`` runs every env step on the prepared plan and carries the network's memory
    (``()`` for feedforward networks) from one step to the next within an episode.
    """

    def prepare(self, params: PyTree) -> PyTree:
        """Turns an individual's parameters into a plan for :meth:`forward`."""
        ...

    def initial_carry(self, plan: PyTree) -> PyTree:
        """The memory at the start of an episode (``()`` when there is none)."""
        ...

    def step(self, plan: PyTree, carry: PyTree, inputs: Array) -> tuple[Array, PyTree]:
        """Outputs ``(num_outputs,)`` for inputs ``(num_inputs,)``, and the next carry."""
        ...

    def apply(self, params: PyTree, inputs: Array) -> Array:
        """Outputs from a fresh carry: ``step(prepare(params), initial_carry(...), inputs)[0]``."""
        ...
