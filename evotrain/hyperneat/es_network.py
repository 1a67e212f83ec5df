"""The network an ES-HyperNEAT individual becomes: the neurons and connections its CPPN's
search found (:mod:`evotrain.hyperneat.es_search`), run every env step.

``prepare`` runs the search once per individual per generation and keeps the result as one
weight matrix over every possible neuron (the inputs, the quadtree's candidate positions,
the outputs; positions that did not become neurons have no connections and stay at zero).
``step`` then runs that matrix:

- feedforward: connections only go towards larger ``y``, so the network is acyclic and one
  pass over the neurons' heights, lowest first, gives its outputs exactly;
- recurrent: the values of hidden and output neurons are carried from one env step to the
  next (zeros at episode start) and updated synchronously ``activate_time`` times per step.

It satisfies the NEAT-family shell's network contract like
:class:`~evotrain.hyperneat.network.SubstrateNetwork`: ``genome_config`` is the CPPN
genomes' layout.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np

from evotrain.hyperneat.cppn import CPPNConfig, node_biases
from evotrain.hyperneat.es_search import ESConfig, cppn_weight_fn, points, search
from evotrain.hyperneat.network import CPPNDriven, cppn_genome
from evotrain.neat.genome import Genome, GenomeConfig
from evotrain.networks.activations import get_activation
from evotrain.networks.neat_network import NEATNetwork
from evotrain.types import Array


class ESPlan(NamedTuple):
    """One individual's network over ``n = inputs + positions + outputs`` neurons.

    Attributes:
        weights: ``(n, n)`` float32 ``[target, source]`` (applied as ``W @ x``).
        biases: ``(n,)`` float32 (zeros without a CPPN bias output).
        hidden: ``(positions,)`` bool: which positions became hidden neurons.
    """

    weights: Array
    biases: Array
    hidden: Array


@dataclasses.dataclass(frozen=True)
class ESSubstrateNetwork(CPPNDriven):
    """ES-HyperNEAT's network, driven by a CPPN genome (see the module docs).

    Attributes:
        inputs: ``(num_inputs, 2)`` input neuron positions.
        outputs: ``(num_outputs, 2)`` output neuron positions.
        cppn: the CPPN genome layout (inputs ``cppn_config.num_inputs(2)``).
        cppn_config: the CPPN's inputs (coordinates, distance, bias) and bias output.
        es_config: the search's settings (its ``feedforward`` decides the network's kind).
        hidden_activation, output_activation: the neurons' activations.
        activate_time: synchronous updates per env step (recurrent only).

    Raises:
        ValueError: positions that are not 2-D, an input or output on a candidate hidden
            position, a CPPN layout that does not fit, or ``activate_time < 1``.
    """

    inputs: np.ndarray
    outputs: np.ndarray
    cppn: GenomeConfig
    cppn_config: CPPNConfig = CPPNConfig()
    es_config: ESConfig = ESConfig()
    hidden_activation: str = "tanh"
    output_activation: str = "identity"
    activate_time: int = 1

    def __post_init__(self) -> None:
        for name in ("inputs", "outputs"):
            value = np.asarray(getattr(self, name), np.float32)
            if value.ndim != 2 or value.shape[1] != 2 or value.shape[0] < 1:
                raise ValueError(
                    f"ES-HyperNEAT's {name} must be 2-D positions (n, 2), got shape {value.shape}."
                )
            object.__setattr__(self, name, value)
        taken = {tuple(p) for p in points(self.es_config).tolist()}
        clash = [
            tuple(p)
            for p in np.concatenate([self.inputs, self.outputs]).tolist()
            if tuple(p) in taken
        ]
        if clash:
            raise ValueError(
                f"Neurons at {clash[:3]} sit on candidate hidden positions of the quadtree "
                "(cell centres, odd multiples of 1/2^depth); move them, e.g. to y = -1 and "
                "y = 1."
            )
        expected = self.cppn_config.num_inputs(2)
        outputs = self.cppn_config.num_outputs
        if (
            self.cppn.num_inputs != expected
            or self.cppn.num_outputs != outputs
            or not self.cppn.feedforward
        ):
            raise ValueError(
                f"The CPPN must be a feedforward genome with {expected} inputs (source and "
                f"target coordinates, plus the distance and bias inputs when enabled) and "
                f"{outputs} outputs (the weight, and the bias output when enabled); got "
                f"{self.cppn.num_inputs} inputs, {self.cppn.num_outputs} outputs, "
                f"feedforward={self.cppn.feedforward}."
            )
        if self.cppn_config.leo:
            raise ValueError("ES-HyperNEAT places connections itself: leo=True does not apply.")
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
        input_positions: Any = None,
        output_positions: Any = None,
        initial_depth: int = 3,
        max_depth: int = 3,
        division_threshold: float = 0.5,
        variance_threshold: float = 0.03,
        band_threshold: float = 0.3,
        iteration_level: int = 1,
        weight_threshold: float = 0.2,
        max_weight: float = 5.0,
        threshold_units: str = "scaled",
        use_distance: bool = True,
        use_bias: bool = False,
        bias_output: bool = False,
        hidden_activation: str = "tanh",
        substrate_output_activation: str = "identity",
        activate_time: int = 1,
        **genome: Any,
    ) -> ESSubstrateNetwork:
        """The network for an env of ``num_inputs`` observations and ``num_outputs``
        outputs (what the ``FeedForward`` and ``Recurrent`` policies of
        :class:`~evotrain.ESHyperNEAT` name).

        Args:
            num_inputs, num_outputs: the env's observation size and network outputs.
            recurrent: connections in every direction, with memory across env steps.
            input_positions, output_positions: ``(n, 2)`` neuron positions (default: the
                inputs spread over ``y = -1``, the outputs over ``y = 1``).
            initial_depth, max_depth, division_threshold, variance_threshold,
                band_threshold, iteration_level, weight_threshold, max_weight,
                threshold_units: the search's settings (:class:`ESConfig`).
            use_distance, use_bias, bias_output: see :class:`CPPNConfig`.
            hidden_activation, substrate_output_activation: the neurons' activations.
            activate_time: synchronous updates per env step (recurrent).
            **genome: CPPN genome layout (:class:`GenomeConfig` fields).

        Raises:
            ValueError: positions of the wrong count, or settings out of range.
        """
        spread = {
            "inputs": (input_positions, num_inputs, -1.0),
            "outputs": (output_positions, num_outputs, 1.0),
        }
        positions = {}
        for name, (given, count, y) in spread.items():
            if given is None:
                x = np.linspace(-1.0, 1.0, count) if count > 1 else np.zeros(1)
                given = np.stack([x, np.full(count, y)], axis=1)
            given = np.asarray(given, np.float32)
            if given.ndim != 2 or given.shape[0] != count:
                raise ValueError(
                    f"This env needs {count} {name}; {name[:-1]}_positions has shape "
                    f"{given.shape}, not ({count}, 2)."
                )
            positions[name] = given
        es_config = ESConfig(
            initial_depth,
            max_depth,
            division_threshold,
            variance_threshold,
            band_threshold,
            iteration_level,
            max_weight,
            weight_threshold,
            threshold_units,
            feedforward=not recurrent,
        )
        cppn_config = CPPNConfig(use_distance, use_bias, weight_threshold, max_weight, bias_output)
        cppn = cppn_genome(cppn_config, 2, **genome)
        return cls(
            positions["inputs"],
            positions["outputs"],
            cppn,
            cppn_config,
            es_config,
            hidden_activation,
            substrate_output_activation,
            activate_time,
        )

    @property
    def recurrent(self) -> bool:
        return not self.es_config.feedforward

    @property
    def positions(self) -> np.ndarray:
        """``(n, 2)`` every possible neuron: inputs, candidate positions, outputs."""
        return np.concatenate([self.inputs, points(self.es_config), self.outputs])

    @property
    def heights(self) -> list[np.ndarray]:
        """The non-input neurons (indices into :attr:`positions`) grouped by ``y``, lowest
        first: a feedforward neuron's sources all sit in earlier groups or the inputs."""
        y = self.positions[:, 1]
        rest = np.arange(len(self.inputs), len(y))
        return [rest[y[rest] == level] for level in np.unique(y[rest])]

    def prepare(self, params: Genome) -> ESPlan:
        """The search's network (:class:`ESPlan`) for one CPPN genome."""
        cppn = NEATNetwork(self.cppn)
        plan = cppn.prepare(params)
        found = search(
            cppn_weight_fn(cppn, plan, self.cppn_config),
            jnp.asarray(self.inputs),
            jnp.asarray(self.outputs),
            self.es_config,
        )
        biases = node_biases(cppn, plan, jnp.asarray(self.positions), self.cppn_config)
        return ESPlan(found.weight.T, biases, found.hidden)

    def initial_carry(self, plan: ESPlan) -> Array | tuple[()]:
        """Zeros for every neuron but the inputs (recurrent); nothing otherwise."""
        if not self.recurrent:
            return ()
        return jnp.zeros((plan.weights.shape[0] - len(self.inputs),), jnp.float32)

    def step(
        self, plan: ESPlan, carry: Array | tuple[()], inputs: Array
    ) -> tuple[Array, Array | tuple[()]]:
        """Outputs ``(num_outputs,)`` for inputs ``(num_inputs,)`` and the new carry.

        Feedforward: one pass over the heights, lowest first, each group computed from
        the values below it (one matrix row per neuron in all). Recurrent:
        ``activate_time`` synchronous updates of every non-input neuron.
        """
        n_in, n_out = len(self.inputs), len(self.outputs)
        hidden = get_activation(self.hidden_activation)
        output = get_activation(self.output_activation)
        n = plan.weights.shape[0]
        is_output = jnp.arange(n) >= n - n_out
        if not self.recurrent:
            values = jnp.concatenate([inputs, jnp.zeros((n - n_in,), jnp.float32)])
            for group in self.heights:
                pre = plan.weights[group] @ values + plan.biases[group]
                values = values.at[group].set(jnp.where(is_output[group], output(pre), hidden(pre)))
            return values[n - n_out :], carry
        values = carry
        for _ in range(self.activate_time):
            pre = plan.weights[n_in:] @ jnp.concatenate([inputs, values]) + plan.biases[n_in:]
            values = jnp.where(is_output[n_in:], output(pre), hidden(pre))
        return values[-n_out:], values

    def apply(self, params: Genome, inputs: Array) -> Array:
        plan = self.prepare(params)
        return self.step(plan, self.initial_carry(plan), inputs)[0]


__all__ = ["ESPlan", "ESSubstrateNetwork"]
