"""The network a HyperNEAT individual becomes: a layered substrate whose weights its CPPN
generates.

``prepare`` runs once per individual per generation: it prepares the CPPN genome and
queries it for every connection between consecutive substrate rows, giving one weight
matrix per row pair. ``step`` then runs the substrate like an MLP, every env step, without
touching the CPPN. It satisfies the NEAT-family shell's network contract: ``genome_config``
is the layout of the CPPN genomes NEAT evolves, ``with_genome_config`` the same network
at another capacity level.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp

from evotrain.hyperneat.cppn import CPPNConfig, query_plan, to_weights
from evotrain.hyperneat.substrate import MLPSubstrate, Substrate
from evotrain.neat.genome import Genome, GenomeConfig
from evotrain.networks.activations import get_activation
from evotrain.networks.neat_network import NEATNetwork
from evotrain.types import Array

CPPN_ACTIVATIONS = ("sin", "gauss", "sigmoid", "tanh", "identity", "abs")
"""The CPPN node functions by default: repetition, symmetry, gradients, ..."""


@dataclasses.dataclass(frozen=True, eq=False)
class SubstrateNetwork:
    """A feedforward layered substrate driven by a CPPN genome.

    Attributes:
        substrate: the neurons' positions.
        cppn: the CPPN genome layout (inputs ``cppn_config.num_inputs(substrate.dim)``,
            first output the weight).
        cppn_config: the CPPN's inputs and the weight mapping.
        hidden_activation: activation of the hidden rows.
        output_activation: activation of the output row (``identity``: the env's action
            mapping squashes box actions itself).
    """

    substrate: Substrate
    cppn: GenomeConfig
    cppn_config: CPPNConfig = CPPNConfig()
    hidden_activation: str = "tanh"
    output_activation: str = "identity"

    def __post_init__(self) -> None:
        expected = self.cppn_config.num_inputs(self.substrate.dim)
        if self.cppn.num_inputs != expected:
            raise ValueError(
                f"The CPPN has {self.cppn.num_inputs} inputs; a {self.substrate.dim}-D "
                f"substrate with these CPPN options needs {expected} (source and target "
                "coordinates, plus the distance and bias inputs when enabled)."
            )
        get_activation(self.hidden_activation)
        get_activation(self.output_activation)

    @classmethod
    def for_sizes(
        cls,
        num_inputs: int,
        num_outputs: int,
        *,
        substrate: Substrate | None = None,
        hidden_layers: Sequence[int] = (),
        use_distance: bool = True,
        use_bias: bool = False,
        weight_threshold: float = 0.3,
        max_weight: float = 5.0,
        hidden_activation: str = "tanh",
        substrate_output_activation: str = "identity",
        activate_time: int = 1,
        **genome: Any,
    ) -> SubstrateNetwork:
        """The substrate network for an env of ``num_inputs`` observations and
        ``num_outputs`` outputs (what the ``FeedForward`` HyperNEAT policy names).

        Args:
            num_inputs, num_outputs: the env's observation size and network outputs.
            substrate: the neurons' positions (default: :func:`MLPSubstrate` of these
                sizes and ``hidden_layers``); its sizes must match the env's.
            hidden_layers: hidden rows of the default substrate.
            use_distance, use_bias, weight_threshold, max_weight: see :class:`CPPNConfig`.
            hidden_activation, substrate_output_activation: the substrate's activations.
            activate_time: unused by feedforward substrates (the family passes it).
            **genome: CPPN genome layout (:class:`GenomeConfig` fields; by default mixed
                activations :data:`CPPN_ACTIVATIONS` and a tanh weight output).

        Raises:
            ValueError: a substrate whose sizes do not match, or settings out of range.
        """
        del activate_time
        if substrate is None:
            substrate = MLPSubstrate(num_inputs, num_outputs, hidden_layers)
        elif not isinstance(substrate, Substrate):
            raise ValueError(
                f"substrate must be a Substrate (or None for a layered one from the env's "
                f"sizes); got {substrate!r}."
            )
        substrate.check_sizes(num_inputs, num_outputs, "this env")
        cppn_config = CPPNConfig(use_distance, use_bias, weight_threshold, max_weight)
        layout = {
            "activation_options": CPPN_ACTIVATIONS,
            "activation_default": "tanh",
            "output_activation": "tanh",
            **genome,
        }
        cppn = GenomeConfig(cppn_config.num_inputs(substrate.dim), 1, **layout)
        return cls(substrate, cppn, cppn_config, hidden_activation, substrate_output_activation)

    @property
    def genome_config(self) -> GenomeConfig:
        """The layout of the CPPN genomes the NEAT strategy evolves."""
        return self.cppn

    def with_genome_config(self, config: GenomeConfig) -> SubstrateNetwork:
        return dataclasses.replace(self, cppn=config)

    def prepare(self, params: Genome) -> tuple[Array, ...]:
        """Weight matrices ``(n_{k+1}, n_k)`` between consecutive rows, from one CPPN genome."""
        cppn = NEATNetwork(self.cppn)
        plan = cppn.prepare(params)
        rows = self.substrate.layers
        return tuple(
            to_weights(
                query_plan(cppn, plan, jnp.asarray(a), jnp.asarray(b), self.cppn_config),
                self.cppn_config,
            )
            for a, b in zip(rows[:-1], rows[1:])
        )

    def initial_carry(self, plan: tuple[Array, ...]) -> tuple[()]:
        """A feedforward substrate has no memory."""
        return ()

    def step(
        self, plan: tuple[Array, ...], carry: tuple[()], inputs: Array
    ) -> tuple[Array, tuple[()]]:
        """Outputs ``(num_outputs,)`` for inputs ``(num_inputs,)``, row by row."""
        hidden = get_activation(self.hidden_activation)
        x = inputs
        for weights in plan[:-1]:
            x = hidden(weights @ x)
        return get_activation(self.output_activation)(plan[-1] @ x), carry

    def apply(self, params: Genome, inputs: Array) -> Array:
        plan = self.prepare(params)
        return self.step(plan, self.initial_carry(plan), inputs)[0]


__all__ = ["CPPN_ACTIVATIONS", "SubstrateNetwork"]
