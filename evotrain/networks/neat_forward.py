"""Forward passes of NEAT genomes from an execution plan made once per generation.

:func:`make_plan` turns a genome into dense per-genome arrays (a weight matrix over node
slots, per-node bias/response/activation/aggregation, and each node's depth). The plan is
built once per genome per generation; every env step then runs :func:`forward`, which
evaluates depth layer by depth layer (feedforward), or :func:`recurrent_step`, which
updates every node once from the previous step's values (recurrent).

Slots ``0..I-1`` hold the inputs and ``I..I+O-1`` the outputs in every genome, so inputs
are written and outputs read at fixed positions.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.neat.aggregations import get_aggregation
from evotrain.neat.genome import (
    C_ENABLED,
    C_WEIGHT,
    N_ACT,
    N_AGG,
    N_BIAS,
    N_KEY,
    N_RESPONSE,
    Genome,
    GenomeConfig,
    endpoints,
    links,
)
from evotrain.networks.activations import get_activation
from evotrain.types import Array


@struct.dataclass
class Plan:
    """A genome compiled for fast evaluation.

    Attributes:
        weights: ``(N, N)`` float32, ``weights[i, j]`` from slot ``i`` to slot ``j`` (0 if none).
        exists: ``(N, N)`` bool, an enabled connection from ``i`` to ``j``.
        bias: ``(N,)``; response: ``(N,)``.
        activation: ``(N,)`` int32 index into the activation options.
        aggregation: ``(N,)`` int32 index into the aggregation options.
        depth: ``(N,)`` int32: 0 for inputs, 1 + the deepest predecessor for other nodes,
            -1 for empty slots (feedforward); all non-input nodes 1 (recurrent).
        num_layers: ``()`` int32, the largest depth.
    """

    weights: Array
    exists: Array
    bias: Array
    response: Array
    activation: Array
    aggregation: Array
    depth: Array
    num_layers: Array


def adjacency(genome: Genome) -> tuple[Array, Array]:
    """Enabled-connection adjacency over node slots.

    Returns:
        ``(exists (N, N) bool, weights (N, N) float32)``.
    """
    source, target = endpoints(genome)
    enabled = genome.conns[:, C_ENABLED, None] > 0.5
    source = source & enabled
    exists = links(source, target) > 0
    weights = links(source, target, jnp.where(enabled[:, 0], genome.conns[:, C_WEIGHT], 0.0))
    return exists, weights


def node_depths(exists: Array, present: Array, num_inputs: int) -> Array:
    """Longest-path depth of every node of a DAG (inputs 0, absent slots -1).

    Iterates ``depth[j] = 1 + max(depth[i] for i -> j)`` until nothing changes (at most
    ``N`` times; a cycle stops at the bound).
    """
    n = exists.shape[0]
    is_input = jnp.arange(n) < num_inputs

    def relax(depth: Array) -> Array:
        incoming = jnp.where(exists, depth[:, None], -1)
        new = 1 + jnp.maximum(jnp.max(incoming, axis=0), 0)
        return jnp.where(is_input, 0, jnp.where(present, new, -1))

    def cond(carry):
        i, depth, prev = carry
        return (i < n) & jnp.any(depth != prev)

    def body(carry):
        i, depth, _ = carry
        return i + 1, relax(depth), depth

    init = jnp.where(is_input, 0, jnp.where(present, 1, -1)).astype(jnp.int32)
    _, depth, _ = jax.lax.while_loop(cond, body, (jnp.ones((), jnp.int32), relax(init), init))
    return depth


def make_plan(genome: Genome, config: GenomeConfig) -> Plan:
    """Compiles one genome (no leading axis) into a :class:`Plan`."""
    exists, weights = adjacency(genome)
    present = ~jnp.isnan(genome.nodes[:, N_KEY])
    nodes = jnp.nan_to_num(genome.nodes)
    if config.feedforward:
        depth = node_depths(exists, present, config.num_inputs)
    else:
        n = genome.nodes.shape[0]
        is_input = jnp.arange(n) < config.num_inputs
        depth = jnp.where(is_input, 0, jnp.where(present, 1, -1)).astype(jnp.int32)
    return Plan(
        weights=weights,
        exists=exists,
        bias=nodes[:, N_BIAS],
        response=nodes[:, N_RESPONSE],
        activation=nodes[:, N_ACT].astype(jnp.int32),
        aggregation=nodes[:, N_AGG].astype(jnp.int32),
        depth=depth,
        num_layers=jnp.max(depth),
    )


def _activate(plan: Plan, values: Array, config: GenomeConfig) -> Array:
    """``act(bias + response * agg(incoming))`` for every slot, from current values ``(N,)``."""
    if config.aggregation_options == ("sum",):
        pre = _weighted_sum(values, plan.weights)
    else:
        contrib = values[:, None] * plan.weights
        choices = [
            get_aggregation(name)(contrib.T, plan.exists.T) for name in config.aggregation_options
        ]
        pre = _select(jnp.stack(choices), plan.aggregation)
    z = plan.bias + plan.response * pre
    options = config.activation_options
    if len(options) == 1:
        post = get_activation(options[0])(z)
    else:
        post = _select(jnp.stack([get_activation(name)(z) for name in options]), plan.activation)
    if config.output_activation is not None:
        out = get_activation(config.output_activation)(z)
        is_out = (jnp.arange(z.shape[0]) >= config.num_inputs) & (
            jnp.arange(z.shape[0]) < config.num_io
        )
        post = jnp.where(is_out, out, post)
    return post


def _weighted_sum(values: Array, weights: Array) -> Array:
    n = weights.shape[0]
    if n > 64:
        return values @ weights
    acc = values[0] * weights[0]
    for i in range(1, n):
        acc = acc + values[i] * weights[i]
    return acc


def _select(stacked: Array, index: Array) -> Array:
    """Per-slot choice among option results ``(n_options, N)`` by ``index (N,)``."""
    return jnp.take_along_axis(stacked, index[None, :], axis=0)[0]


def forward(plan: Plan, inputs: Array, config: GenomeConfig) -> Array:
    """Feedforward outputs ``(O,)`` for inputs ``(I,)``, evaluated layer by layer."""
    n = plan.depth.shape[0]
    values = jnp.zeros((n,), jnp.float32).at[: config.num_inputs].set(inputs)

    def layer(d, values):
        return jnp.where(plan.depth == d, _activate(plan, values, config), values)

    values = jax.lax.fori_loop(1, plan.num_layers + 1, layer, values)
    return values[config.num_inputs : config.num_io]


def forward_many(plan: Plan, inputs: Array, config: GenomeConfig) -> Array:
    """Feedforward outputs ``(B, O)`` of one genome for a batch of inputs ``(B, I)``.

    The values of ``jax.vmap(forward)``, computed node by node in depth order, each node
    once for the whole batch, rather than every node at every depth: what a CPPN queried
    for every connection of a substrate needs. Genomes with other aggregations than
    ``sum`` take the ``vmap`` path.
    """
    if config.aggregation_options != ("sum",):
        return jax.vmap(lambda x: forward(plan, x, config))(inputs)
    n, n_in = plan.depth.shape[0], config.num_inputs
    values = jnp.zeros((inputs.shape[0], n), jnp.float32).at[:, :n_in].set(inputs)
    # Hidden and output slots by depth (a topological order); empty slots (-1) last.
    order = n_in + jnp.argsort(jnp.where(plan.depth[n_in:] > 0, plan.depth[n_in:], n + 1))
    functions = [get_activation(name) for name in config.activation_options]
    out_fn = None if config.output_activation is None else get_activation(config.output_activation)

    def node(k: int, values: Array) -> Array:
        j = order[k]
        z = plan.bias[j] + plan.response[j] * (values @ plan.weights[:, j])
        if len(functions) == 1:
            post = functions[0](z)
        else:
            post = jnp.stack([f(z) for f in functions])[plan.activation[j]]
        if out_fn is not None:
            post = jnp.where(j < config.num_io, out_fn(z), post)
        post = jnp.where(plan.depth[j] > 0, post, values[:, j])
        return jax.lax.dynamic_update_index_in_dim(values, post, j, axis=1)

    values = jax.lax.fori_loop(0, n - n_in, node, values)
    return values[:, n_in : config.num_io]


def recurrent_step(
    plan: Plan, values: Array, inputs: Array, config: GenomeConfig, activate_time: int = 1
) -> tuple[Array, Array]:
    """One env step of a recurrent network: every node updates from the previous values.

    Args:
        plan: the genome's plan.
        values: node values carried from the previous step, ``(N,)`` (zeros at episode start).
        inputs: ``(I,)``.
        config: genome settings.
        activate_time: synchronous updates per env step.

    Returns:
        ``(outputs (O,), values (N,))``.
    """
    present = plan.depth > 0
    for _ in range(activate_time):
        values = values.at[: config.num_inputs].set(inputs)
        values = jnp.where(present, _activate(plan, values, config), values)
    values = values.at[: config.num_inputs].set(inputs)
    return values[config.num_inputs : config.num_io], values
