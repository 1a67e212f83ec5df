"""Tensorized NEAT genomes: fixed-capacity node and connection arrays padded with NaN.

A genome is two float32 arrays (TensorNEAT, Wang et al. 2024, section 3):

- ``nodes (max_nodes, 5)``: ``[key, bias, response, activation, aggregation]`` per row;
  ``key`` is the node's historical marker (inputs ``0..I-1``, outputs ``I..I+O-1``, hidden
  nodes get keys from the population's node counter), ``activation``/``aggregation`` index
  the configured option lists.
- ``conns (max_conns, 4)``: ``[in_key, out_key, weight, enabled]`` per row; a connection's
  marker is its ``(in_key, out_key)`` pair, as in neat-python.

Empty rows are all NaN. A population stacks genomes on a leading axis.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.neat.aggregations import get_aggregation
from evotrain.neat.draws import Draws
from evotrain.networks.activations import get_activation
from evotrain.types import Array, PRNGKey

N_KEY, N_BIAS, N_RESPONSE, N_ACT, N_AGG = range(5)
NODE_ATTRS = 5
C_IN, C_OUT, C_WEIGHT, C_ENABLED = range(4)
CONN_ATTRS = 4


@struct.dataclass
class Genome:
    """One genome (or a population of them, with a leading axis on both arrays).

    Attributes:
        nodes: ``(..., max_nodes, 5)`` float32, NaN rows empty.
        conns: ``(..., max_conns, 4)`` float32, NaN rows empty.
    """

    nodes: Array
    conns: Array


@dataclasses.dataclass(frozen=True)
class GenomeConfig:
    """Settings that fix the genome's shape and meaning.

    Attributes:
        num_inputs: input nodes.
        num_outputs: output nodes.
        max_nodes: node capacity (inputs and outputs included).
        max_conns: connection capacity.
        feedforward: forbid cycles (else recurrent connections are allowed).
        activation_options: activation names a node may take.
        activation_default: the activation of new nodes.
        aggregation_options: aggregation names a node may take.
        aggregation_default: the aggregation of new nodes.
        output_activation: activation of output nodes (None: like hidden nodes).
    """

    num_inputs: int
    num_outputs: int
    max_nodes: int = 50
    max_conns: int = 100
    feedforward: bool = True
    activation_options: tuple[str, ...] = ("tanh",)
    activation_default: str = "tanh"
    aggregation_options: tuple[str, ...] = ("sum",)
    aggregation_default: str = "sum"
    output_activation: str | None = None

    def __post_init__(self) -> None:
        if self.num_inputs < 1 or self.num_outputs < 1:
            raise ValueError(
                f"A genome needs at least one input and one output, got {self.num_inputs} "
                f"inputs and {self.num_outputs} outputs."
            )
        if self.max_nodes < self.num_inputs + self.num_outputs:
            raise ValueError(
                f"max_nodes={self.max_nodes} is smaller than inputs + outputs = "
                f"{self.num_inputs + self.num_outputs}; raise max_nodes to at least that "
                "(plus room for hidden nodes)."
            )
        if self.max_conns < self.num_inputs * self.num_outputs:
            raise ValueError(
                f"max_conns={self.max_conns} is smaller than the initial connections "
                f"({self.num_inputs} inputs x {self.num_outputs} outputs = "
                f"{self.num_inputs * self.num_outputs}); raise max_conns."
            )
        if not self.activation_options or not self.aggregation_options:
            raise ValueError("activation_options and aggregation_options must not be empty.")
        for name in self.activation_options + (self.activation_default,):
            get_activation(name)
        for name in self.aggregation_options + (self.aggregation_default,):
            get_aggregation(name)
        if self.activation_default not in self.activation_options:
            raise ValueError(
                f"activation_default {self.activation_default!r} is not in activation_options "
                f"{self.activation_options}."
            )
        if self.aggregation_default not in self.aggregation_options:
            raise ValueError(
                f"aggregation_default {self.aggregation_default!r} is not in "
                f"aggregation_options {self.aggregation_options}."
            )
        if self.output_activation is not None:
            get_activation(self.output_activation)

    @property
    def num_io(self) -> int:
        return self.num_inputs + self.num_outputs

    @property
    def input_keys(self) -> range:
        return range(self.num_inputs)

    @property
    def output_keys(self) -> range:
        return range(self.num_inputs, self.num_io)


@struct.dataclass
class AttrInit:
    """How a float attribute is initialized and mutated (neat-python's attribute semantics).

    With probability ``mutate_rate`` the value is perturbed by ``N(0, mutate_power^2)``;
    otherwise, with probability ``replace_rate``, it is redrawn from
    ``N(init_mean, init_std^2)``. Values are clipped to ``[min_value, max_value]``.
    """

    init_mean: float
    init_std: float
    mutate_power: float
    mutate_rate: float
    replace_rate: float
    min_value: float
    max_value: float

    def sample(self, key: PRNGKey, shape: tuple[int, ...]) -> Array:
        value = self.init_mean + self.init_std * jax.random.normal(key, shape)
        return jnp.clip(value, self.min_value, self.max_value)

    def mutate(self, draws: Draws, value: Array) -> Array:
        """Mutates ``value`` elementwise with numbers taken from ``draws``."""
        r = draws.uniform(value.shape)
        perturbed = value + self.mutate_power * draws.normal(value.shape)
        fresh = self.init_mean + self.init_std * draws.normal(value.shape)
        replaced = jnp.clip(fresh, self.min_value, self.max_value)
        out = jnp.where(
            r < self.mutate_rate,
            perturbed,
            jnp.where(r < self.mutate_rate + self.replace_rate, replaced, value),
        )
        return jnp.clip(out, self.min_value, self.max_value)


def node_mask(genome: Genome) -> Array:
    """``(..., max_nodes)`` bool: rows that hold a node."""
    return ~jnp.isnan(genome.nodes[..., N_KEY])


def endpoints(genome: Genome) -> tuple[Array, Array]:
    """Which node slot each connection leaves and enters (one genome).

    Returns:
        ``(source (C, N) bool, target (C, N) bool)``: row ``c`` marks the slot holding
        connection ``c``'s in (out) key; all False for empty rows and unknown keys.
    """
    keys = genome.nodes[None, :, N_KEY]
    return genome.conns[:, C_IN, None] == keys, genome.conns[:, C_OUT, None] == keys


def links(source: Array, target: Array, value: Array | None = None) -> Array:
    """Sums per-connection values into an ``(N, N)`` matrix over node slots.

    Args:
        source, target: ``(C, N)`` bool from :func:`endpoints`, masked to the connections
            to include.
        value: ``(C,)`` finite values (default: 1, giving connection counts).

    Returns:
        ``(N, N)`` float32, entry ``[i, j]`` the sum over connections from slot ``i`` to
        slot ``j``. One matrix product: no scatter to compile.
    """
    src = source.astype(jnp.float32)
    if value is not None:
        src = src * value[:, None]
    return src.T @ target.astype(jnp.float32)


def set_row(rows: Array, index: Array, value: Array, when: Array | bool = True) -> Array:
    """``rows (R, A)`` with row ``index`` replaced by ``value (A,)`` where ``when`` holds.

    A masked select rather than a scatter: as cheap for a genome's few rows, and much
    cheaper to compile once vmapped over a population.
    """
    hit = (jnp.arange(rows.shape[0]) == index) & when
    return jnp.where(hit[:, None], value[None, :], rows)


def conn_mask(genome: Genome) -> Array:
    """``(..., max_conns)`` bool: rows that hold a connection."""
    return ~jnp.isnan(genome.conns[..., C_IN])


def initial_genome(
    key: PRNGKey, config: GenomeConfig, bias: AttrInit, response: AttrInit, weight: AttrInit
) -> Genome:
    """Inputs and outputs, every input connected to every output (neat-python ``full``).

    Returns:
        One :class:`Genome`.
    """
    k_bias, k_resp, k_weight = jax.random.split(key, 3)
    n, c, i, o = config.max_nodes, config.max_conns, config.num_inputs, config.num_outputs
    act = config.activation_options.index(config.activation_default)
    agg = config.aggregation_options.index(config.aggregation_default)
    keys = jnp.arange(i + o, dtype=jnp.float32)
    is_output = keys >= i
    node_rows = jnp.stack(
        [
            keys,
            jnp.where(is_output, bias.sample(k_bias, (i + o,)), 0.0),
            jnp.where(is_output, response.sample(k_resp, (i + o,)), 1.0),
            jnp.full((i + o,), act, jnp.float32),
            jnp.full((i + o,), agg, jnp.float32),
        ],
        axis=1,
    )
    nodes = jnp.full((n, NODE_ATTRS), jnp.nan, jnp.float32).at[: i + o].set(node_rows)
    ins = jnp.repeat(jnp.arange(i), o).astype(jnp.float32)
    outs = jnp.tile(jnp.arange(i, i + o), i).astype(jnp.float32)
    conn_rows = jnp.stack(
        [ins, outs, weight.sample(k_weight, (i * o,)), jnp.ones((i * o,), jnp.float32)], axis=1
    )
    conns = jnp.full((c, CONN_ATTRS), jnp.nan, jnp.float32).at[: i * o].set(conn_rows)
    return Genome(nodes=nodes, conns=conns)


def initial_population(
    key: PRNGKey,
    config: GenomeConfig,
    pop_size: int,
    bias: AttrInit,
    response: AttrInit,
    weight: AttrInit,
) -> Genome:
    """``pop_size`` genomes of :func:`initial_genome`, one key of ``key``'s split each.

    Returns:
        A :class:`Genome` with leading axis ``pop_size``.
    """
    keys = jax.random.split(key, pop_size)
    return jax.vmap(lambda k: initial_genome(k, config, bias, response, weight))(keys)


def size_metrics(population: Genome, fitness: Array) -> dict[str, Array]:
    """The genomes' sizes as a search over genomes logs them.

    Args:
        population: genomes with leading axis ``pop``.
        fitness: ``(pop,)`` their fitness.

    Returns:
        ``nodes_mean`` and ``conns_mean`` (nodes, and enabled connections, per genome),
        ``best_nodes`` and ``best_conns`` (the fittest genome's): ``()`` each.
    """
    nodes = jnp.sum(node_mask(population), axis=-1)
    conns = jnp.sum(population.conns[..., C_ENABLED] > 0.5, axis=-1)
    best = jnp.argmax(fitness)
    return {
        "nodes_mean": nodes.mean(),
        "conns_mean": conns.mean(),
        "best_nodes": nodes[best],
        "best_conns": conns[best],
    }
