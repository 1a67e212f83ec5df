"""NEAT genomes as a :class:`~evotrain.networks.base.Network` (feedforward or recurrent)."""

from __future__ import annotations

import dataclasses
from typing import Any

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

    @classmethod
    def for_sizes(
        cls,
        num_inputs: int,
        num_outputs: int,
        *,
        feedforward: bool,
        activate_time: int = 1,
        **genome: Any,
    ) -> NEATNetwork:
        """The network of a NEAT genome with ``num_inputs`` inputs and ``num_outputs``
        outputs (the policies ``FeedForward`` and ``Recurrent`` name).

        Args:
            num_inputs, num_outputs: the env's observation size and network outputs.
            feedforward: acyclic (layer by layer) or recurrent.
            activate_time: node updates per step (recurrent).
            **genome: the other :class:`~evotrain.neat.genome.GenomeConfig` fields.
        """
        config = GenomeConfig(num_inputs, num_outputs, feedforward=feedforward, **genome)
        return cls(config, activate_time)

    @property
    def genome_config(self) -> GenomeConfig:
        """The layout of the genomes NEAT evolves for this network (its own)."""
        return self.config

    def with_genome_config(self, config: GenomeConfig) -> NEATNetwork:
        """The same network for genomes of another capacity (see ``neat.capacity``)."""
        return dataclasses.replace(self, config=config)

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
