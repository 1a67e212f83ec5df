"""The network a HyperNEAT individual becomes: a substrate whose weights its CPPN generates.

``prepare`` runs once per individual per generation: it prepares the CPPN genome and
queries it for every connection of the substrate (and, with a bias output, every neuron's
bias). ``step`` then runs the substrate every env step, without touching the CPPN:

- feedforward: row by row, each row fully connected to the next;
- recurrent: every non-input neuron (hidden rows and outputs) receives from every neuron
  (inputs, hidden, outputs, itself included); their values are carried from one env step
  to the next (zeros at episode start, never reset in between) and updated synchronously
  ``activate_time`` times per step, as a recurrent NEAT genome is.

It satisfies the NEAT-family shell's network contract: ``genome_config`` is the layout of
the CPPN genomes NEAT evolves, ``with_genome_config`` the same network at another capacity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np

from evotrain.hyperneat.cppn import CPPNConfig, connection_weights, node_biases, query_outputs
from evotrain.hyperneat.substrate import MLPSubstrate, Substrate
from evotrain.neat.genome import Genome, GenomeConfig
from evotrain.networks.activations import get_activation
from evotrain.networks.neat_network import NEATNetwork
from evotrain.types import Array


class SubstratePlan(NamedTuple):
    """The substrate's weights and biases, generated once per individual.

    Feedforward: ``weights[k]`` is ``(n_{k+1}, n_k)`` between rows k and k+1 and
    ``biases[k]`` ``(n_{k+1},)``. Recurrent: one ``(T, A)`` matrix from every neuron
    (inputs, hidden rows, outputs: A of them) to every non-input neuron (T) and ``(T,)``
    biases.
    """

    weights: tuple[Array, ...]
    biases: tuple[Array, ...]


CPPN_ACTIVATIONS = ("sin", "gauss", "sigmoid", "tanh", "identity", "abs")
"""The CPPN node functions by default: repetition, symmetry, gradients, ..."""


def cppn_genome(config: CPPNConfig, dim: int, **genome: Any) -> GenomeConfig:
    """The layout of CPPN genomes for ``dim``-D neuron positions: the inputs and outputs
    ``config`` asks for, HyperNEAT's node functions and tanh outputs unless ``genome``
    says otherwise."""
    layout = {
        "activation_options": CPPN_ACTIVATIONS,
        "activation_default": "tanh",
        "output_activation": "tanh",
        **genome,
    }
    return GenomeConfig(config.num_inputs(dim), config.num_outputs, **layout)


class CPPNDriven:
    """The network contract a CPPN-driven network shares: the genomes NEAT evolves are
    its CPPN's (``cppn``), and the ``Recurrent`` policy is ``for_sizes(recurrent=True)``."""

    cppn: GenomeConfig

    @classmethod
    def recurrent_for_sizes(cls, num_inputs: int, num_outputs: int, **options: Any) -> Any:
        """``for_sizes`` with ``recurrent=True`` (the ``Recurrent`` policy)."""
        return cls.for_sizes(num_inputs, num_outputs, recurrent=True, **options)  # type: ignore[attr-defined]

    @property
    def genome_config(self) -> GenomeConfig:
        """The layout of the CPPN genomes the NEAT strategy evolves."""
        return self.cppn

    def with_genome_config(self, config: GenomeConfig) -> Any:
        return dataclasses.replace(self, cppn=config)  # type: ignore[type-var]


@dataclasses.dataclass(frozen=True)
class SubstrateNetwork(CPPNDriven):
    """A substrate (layered or recurrent) driven by a CPPN genome.

    Attributes:
        substrate: the neurons' positions.
        cppn: the CPPN genome layout (inputs ``cppn_config.num_inputs(substrate.dim)``,
            outputs ``cppn_config.num_outputs``: the weight first).
        cppn_config: the CPPN's inputs and outputs and the weight mapping.
        hidden_activation: activation of the hidden neurons.
        output_activation: activation of the output neurons (``identity``: the env's
            action mapping squashes box actions itself).
        recurrent: every non-input neuron receives from every neuron, with memory.
        activate_time: synchronous updates per env step (recurrent only).

    Raises:
        ValueError: a CPPN layout that does not fit the substrate and CPPN options, an
            unknown activation or ``activate_time < 1``.
    """

    substrate: Substrate
    cppn: GenomeConfig
    cppn_config: CPPNConfig = CPPNConfig()
    hidden_activation: str = "tanh"
    output_activation: str = "identity"
    recurrent: bool = False
    activate_time: int = 1

    def __post_init__(self) -> None:
        expected = self.cppn_config.num_inputs(self.substrate.dim)
        if self.cppn.num_inputs != expected:
            raise ValueError(
                f"The CPPN has {self.cppn.num_inputs} inputs; a {self.substrate.dim}-D "
                f"substrate with these CPPN options needs {expected} (source and target "
                "coordinates, plus the distance and bias inputs when enabled)."
            )
        if self.cppn.num_outputs != self.cppn_config.num_outputs:
            raise ValueError(
                f"The CPPN has {self.cppn.num_outputs} outputs; these CPPN options need "
                f"{self.cppn_config.num_outputs} (the weight, plus the bias and LEO outputs "
                "when enabled)."
            )
        if not self.cppn.feedforward:
            raise ValueError("A CPPN is queried once per connection: it must be feedforward.")
        if self.activate_time < 1:
            raise ValueError(f"activate_time must be at least 1, got {self.activate_time}.")
        get_activation(self.hidden_activation)
        get_activation(self.output_activation)

    @classmethod
    def for_sizes(
        cls,
        num_inputs: int,
        num_outputs: int,
        *,
        recurrent: bool = False,
        substrate: Substrate | None = None,
        hidden_layers: Sequence[int] = (),
        use_distance: bool = True,
        use_bias: bool = False,
        bias_output: bool = False,
        leo: bool = False,
        weight_threshold: float = 0.3,
        max_weight: float = 5.0,
        hidden_activation: str = "tanh",
        substrate_output_activation: str = "identity",
        activate_time: int = 1,
        **genome: Any,
    ) -> SubstrateNetwork:
        """The substrate network for an env of ``num_inputs`` observations and
        ``num_outputs`` outputs (what the ``FeedForward`` and ``Recurrent`` HyperNEAT
        policies name).

        Args:
            num_inputs, num_outputs: the env's observation size and network outputs.
            recurrent: a fully connected recurrent substrate with memory.
            substrate: the neurons' positions (default: :func:`MLPSubstrate` of these
                sizes and ``hidden_layers``); its sizes must match the env's.
            hidden_layers: hidden rows of the default substrate.
            use_distance, use_bias, bias_output, leo, weight_threshold, max_weight: see
                :class:`CPPNConfig`.
            hidden_activation, substrate_output_activation: the substrate's activations.
            activate_time: synchronous updates per env step (recurrent).
            **genome: CPPN genome layout (:class:`GenomeConfig` fields; by default mixed
                activations :data:`CPPN_ACTIVATIONS` and tanh outputs).

        Raises:
            ValueError: a substrate whose sizes do not match, or settings out of range.
        """
        if substrate is None:
            substrate = MLPSubstrate(num_inputs, num_outputs, hidden_layers)
        elif not isinstance(substrate, Substrate):
            raise ValueError(
                f"substrate must be a Substrate (or None for a layered one from the env's "
                f"sizes); got {substrate!r}."
            )
        substrate.check_sizes(num_inputs, num_outputs, "this env")
        cppn_config = CPPNConfig(
            use_distance, use_bias, weight_threshold, max_weight, bias_output, leo
        )
        cppn = cppn_genome(cppn_config, substrate.dim, **genome)
        return cls(
            substrate,
            cppn,
            cppn_config,
            hidden_activation,
            substrate_output_activation,
            recurrent,
            activate_time,
        )

    @property
    def num_hidden(self) -> int:
        return int(sum(h.shape[0] for h in self.substrate.hidden))

    def pairs(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (sources ``(n, dim)``, targets ``(m, dim)``) blocks the CPPN is queried for:
        consecutive rows (feedforward), or every neuron to every non-input neuron."""
        s = self.substrate
        if not self.recurrent:
            rows = s.layers
            return list(zip(rows[:-1], rows[1:]))
        targets = np.concatenate([*s.hidden, s.outputs])
        return [(np.concatenate([s.inputs, targets]), targets)]

    def prepare(self, params: Genome) -> SubstratePlan:
        """The substrate's weights and biases (:class:`SubstratePlan`) from one CPPN genome."""
        cppn = NEATNetwork(self.cppn)
        plan = cppn.prepare(params)
        weights, biases = [], []
        for sources, targets in self.pairs():
            raw = query_outputs(
                cppn, plan, jnp.asarray(sources), jnp.asarray(targets), self.cppn_config
            )
            weights.append(connection_weights(raw, self.cppn_config))
            biases.append(node_biases(cppn, plan, jnp.asarray(targets), self.cppn_config))
        return SubstratePlan(tuple(weights), tuple(biases))

    def initial_carry(self, plan: SubstratePlan) -> Array | tuple[()]:
        """Zeros ``(hidden + outputs,)`` for a recurrent substrate; nothing otherwise."""
        if not self.recurrent:
            return ()
        return jnp.zeros((self.num_hidden + self.substrate.num_outputs,), jnp.float32)

    def step(
        self, plan: SubstratePlan, carry: Array | tuple[()], inputs: Array
    ) -> tuple[Array, Array | tuple[()]]:
        """Outputs ``(num_outputs,)`` for inputs ``(num_inputs,)`` and the new carry."""
        hidden = get_activation(self.hidden_activation)
        output = get_activation(self.output_activation)
        if not self.recurrent:
            x = inputs
            for weights, bias in zip(plan.weights[:-1], plan.biases[:-1]):
                x = hidden(weights @ x + bias)
            return output(plan.weights[-1] @ x + plan.biases[-1]), carry
        (weights,), (bias,) = plan.weights, plan.biases
        h = self.num_hidden
        values = carry
        for _ in range(self.activate_time):
            pre = weights @ jnp.concatenate([inputs, values]) + bias
            values = jnp.concatenate([hidden(pre[:h]), output(pre[h:])])
        return values[h:], values

    def apply(self, params: Genome, inputs: Array) -> Array:
        plan = self.prepare(params)
        return self.step(plan, self.initial_carry(plan), inputs)[0]


__all__ = ["CPPN_ACTIVATIONS", "CPPNDriven", "SubstrateNetwork", "SubstratePlan", "cppn_genome"]
