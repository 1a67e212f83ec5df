"""NEAT genomes as a :class:`~evotrain.networks.base.Network` (feedforward or recurrent)."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

from evotrain.neat.genome import Genome, GenomeConfig
from evotrain.networks.neat_forward import Plan, forward, make_plan, recurrent_step
from evotrain.types import Array


@dataclasses.dataclass(frozen=True)
class NEATNetwork:
    """A NEAT policy: ``prepare`` builds the genome's plan once per generation.

    Feedforward genomes (``config.feedforward``) are evaluated layer by layer and keep no
    memory. Recurrent genomes carry every node's value ``(max_nodes,)`` from one env step to
    the next (zeros at episode start); each step updates all nodes ``activate_time`` times
    from the previous values.

    Attributes:
        config: the genome layout.
        activate_time: synchronous node updates per env step (recurrent only).
    """

    config: GenomeConfig
    activate_time: int = 1

    def prepare(self, params: Genome) -> Plan:
        return make_plan(params, self.config)

    def initial_carry(self, plan: Plan) -> Array | tuple[()]:
        if self.config.feedforward:
            return ()
        return jnp.zeros(plan.depth.shape, jnp.float32)

    def step(self, plan: Plan, carry, inputs: Array):
        if self.config.feedforward:
            return forward(plan, inputs, self.config), carry
        return recurrent_step(plan, carry, inputs, self.config, self.activate_time)

    def apply(self, params: Genome, inputs: Array) -> Array:
        plan = self.prepare(params)
        return self.step(plan, self.initial_carry(plan), inputs)[0]
