"""NEAT genomes as a :class:`~evotrain.networks.base.Network` (feedforward)."""

from __future__ import annotations

import dataclasses

from evotrain.neat.genome import Genome, GenomeConfig
from evotrain.networks.neat_forward import Plan, forward, make_plan
from evotrain.types import Array


@dataclasses.dataclass(frozen=True)
class NEATNetwork:
    """Feedforward NEAT policy: ``prepare`` builds the genome's plan once per generation.

    Attributes:
        config: the genome layout.
    """

    config: GenomeConfig

    def prepare(self, params: Genome) -> Plan:
        return make_plan(params, self.config)

    def forward(self, plan: Plan, inputs: Array) -> Array:
        return forward(plan, inputs, self.config)

    def apply(self, params: Genome, inputs: Array) -> Array:
        return self.forward(self.prepare(params), inputs)
