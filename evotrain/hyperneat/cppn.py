"""Querying a CPPN for the weights of a substrate's connections.

A CPPN is a NEAT genome whose inputs are the coordinates of a connection's source and
target neurons (optionally their distance and a constant bias) and whose first output is
the connection's weight. Optional further outputs: a bias output (a neuron's bias, read
where the CPPN is queried from the neuron to itself) and a link-expression output (LEO,
Verbancsics and Stanley 2011: a connection exists where it is positive). The CPPN is
queried once per individual per generation, vmapped over every connection of the
substrate, never per env step.

Raw CPPN outputs become weights as in HyperNEAT: an output whose magnitude is below
``weight_threshold`` means "no connection" (weight 0); the rest are scaled so that the
threshold maps to 0 and an output of magnitude 1 to ``max_weight``:
``sign(o) * (|o| - threshold) / (1 - threshold) * max_weight``, outputs clipped to
``[-1, 1]`` first. The defaults are TensorNEAT's (threshold 0.3, max weight 5.0). With
LEO the link-expression output decides instead of the threshold: a connection exists where
it is positive, with weight ``clip(o) * max_weight``. A bias output ``o`` gives the bias
``clip(o) * max_weight``.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from evotrain.networks.base import Network
from evotrain.networks.neat_forward import forward_many
from evotrain.networks.neat_network import NEATNetwork
from evotrain.types import Array, PyTree


@dataclasses.dataclass(frozen=True)
class CPPNConfig:
    """How a CPPN is queried and its outputs turned into weights.

    Attributes:
        use_distance: add the Euclidean distance between source and target as an input.
        use_bias: add a constant 1.0 input.
        weight_threshold: outputs with ``|o| < weight_threshold`` give no connection.
        max_weight: the weight of an output of magnitude 1.
        bias_output: a second output gives each neuron's bias.
        leo: a further output (the last) gives link expression.

    Raises:
        ValueError: a threshold outside ``[0, 1)`` or a non-positive ``max_weight``.
    """

    use_distance: bool = True
    use_bias: bool = False
    weight_threshold: float = 0.3
    max_weight: float = 5.0
    bias_output: bool = False
    leo: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight_threshold < 1.0:
            raise ValueError(
                f"weight_threshold must be in [0, 1) (CPPN outputs are in [-1, 1]); got "
                f"{self.weight_threshold}."
            )
        if not (self.max_weight > 0.0 and self.max_weight < float("inf")):
            raise ValueError(f"max_weight must be positive and finite, got {self.max_weight}.")

    @property
    def num_outputs(self) -> int:
        """CPPN outputs: the weight, then the bias and LEO outputs when enabled."""
        return 1 + int(self.bias_output) + int(self.leo)

    def num_inputs(self, dim: int) -> int:
        """CPPN inputs for a substrate of ``dim`` coordinates per neuron."""
        return 2 * dim + int(self.use_distance) + int(self.use_bias)


def cppn_inputs(source: Array, target: Array, config: CPPNConfig) -> Array:
    """The CPPN inputs of one connection: ``[*source, *target, distance?, 1?]``.

    Args:
        source, target: ``(dim,)`` neuron coordinates.
        config: which extra inputs to add.

    Returns:
        ``(config.num_inputs(dim),)``.
    """
    parts = [source, target]
    if config.use_distance:
        parts.append(jnp.sqrt(jnp.sum(jnp.square(target - source)))[None])
    if config.use_bias:
        parts.append(jnp.ones((1,), source.dtype))
    return jnp.concatenate(parts)


def query(
    network: Network, params: PyTree, sources: Array, targets: Array, config: CPPNConfig
) -> Array:
    """The CPPN's raw first output for every (target, source) pair.

    Args:
        network: the CPPN as a network (e.g. a ``NEATNetwork`` over the CPPN genome layout).
        params: one CPPN genome.
        sources: ``(n, dim)`` source coordinates.
        targets: ``(m, dim)`` target coordinates.
        config: the CPPN's inputs.

    Returns:
        ``(m, n)``: entry ``[j, i]`` is the output for the connection from source ``i`` to
        target ``j`` (the layout of a weight matrix applied as ``W @ x``).
    """
    return query_plan(network, network.prepare(params), sources, targets, config)


def query_plan(
    network: Network, plan: PyTree, sources: Array, targets: Array, config: CPPNConfig
) -> Array:
    """:func:`query` from the CPPN's prepared plan (prepare once, query every row pair)."""
    return query_outputs(network, plan, sources, targets, config)[..., 0]


def query_outputs(
    network: Network, plan: PyTree, sources: Array, targets: Array, config: CPPNConfig
) -> Array:
    """Every CPPN output for every (target, source) pair, from the CPPN's prepared plan.

    Returns:
        ``(m, n, config.num_outputs)`` raw outputs (weight, then bias and LEO if enabled).
    """
    pairs = jax.vmap(lambda t: jax.vmap(lambda s: cppn_inputs(s, t, config))(sources))(targets)
    outputs = evaluate(network, plan, pairs.reshape(-1, pairs.shape[-1]))
    return outputs.reshape(targets.shape[0], sources.shape[0], -1)


def evaluate(network: Network, plan: PyTree, inputs: Array) -> Array:
    """The CPPN's outputs ``(B, k)`` for a batch of CPPN inputs ``(B, num_inputs)``.

    A feedforward NEAT genome evaluates each node once for the whole batch
    (:func:`~evotrain.networks.neat_forward.forward_many`); other networks are vmapped.
    """
    if isinstance(network, NEATNetwork) and network.config.feedforward:
        return forward_many(plan, inputs, network.config)
    carry = network.initial_carry(plan)
    return jax.vmap(lambda x: network.step(plan, carry, x)[0])(inputs)


def to_weights(raw: Array, config: CPPNConfig) -> Array:
    """Raw CPPN weight outputs (any shape) as substrate weights, by the threshold rule
    (see the module docs)."""
    clipped = jnp.clip(raw, -1.0, 1.0)
    magnitude = jnp.abs(clipped)
    threshold = config.weight_threshold
    scaled = (magnitude - threshold) / (1.0 - threshold) * config.max_weight
    return jnp.where(magnitude < threshold, 0.0, jnp.sign(clipped) * scaled)


def connection_weights(outputs: Array, config: CPPNConfig) -> Array:
    """Weights ``(...)`` from raw outputs ``(..., config.num_outputs)``: the threshold rule,
    or LEO's expression gate when ``config.leo``."""
    if not config.leo:
        return to_weights(outputs[..., 0], config)
    weight = jnp.clip(outputs[..., 0], -1.0, 1.0) * config.max_weight
    return jnp.where(outputs[..., -1] > 0.0, weight, 0.0)


def node_biases(network: Network, plan: PyTree, nodes: Array, config: CPPNConfig) -> Array:
    """Biases ``(m,)`` of neurons at ``nodes`` ``(m, dim)``: the bias output queried from
    each neuron to itself, scaled to ``max_weight``; zeros without a bias output."""
    if not config.bias_output:
        return jnp.zeros((nodes.shape[0],), jnp.float32)
    inputs = jax.vmap(lambda node: cppn_inputs(node, node, config))(nodes)
    return jnp.clip(evaluate(network, plan, inputs)[:, 1], -1.0, 1.0) * config.max_weight


__all__ = [
    "CPPNConfig",
    "connection_weights",
    "cppn_inputs",
    "evaluate",
    "node_biases",
    "query",
    "query_outputs",
    "query_plan",
    "to_weights",
]
