"""NEAT mutations of one genome (vmap them over a population).

Structural mutations follow canonical NEAT: add-node splits an enabled connection
``a -> b`` into ``a -> new`` (weight 1.0) and ``new -> b`` (the old weight) and disables the
old one; add-connection never duplicates a connection and, for feedforward genomes, never
closes a cycle; delete-node removes a hidden node with its connections. The key of a node
created by a split comes from :func:`assign_split_keys`, which gives the same key to every
genome of a generation that splits the same connection (historical markers).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from evotrain.neat.draws import Draws
from evotrain.neat.genome import (
    C_ENABLED,
    C_IN,
    C_OUT,
    C_WEIGHT,
    N_ACT,
    N_AGG,
    N_BIAS,
    N_KEY,
    N_RESPONSE,
    Genome,
    GenomeConfig,
    conn_mask,
    endpoints,
    links,
    node_mask,
    set_row,
)
from evotrain.neat.params import NEATParams
from evotrain.types import Array, PRNGKey


def _first_free(mask: Array) -> tuple[Array, Array]:
    free = ~mask
    return jnp.argmax(free), free.any()


def propose_split(draws: Draws, genome: Genome, params: NEATParams) -> tuple[Array, Array]:
    """Decides whether this genome splits a connection this generation, and which one.

    Returns:
        ``(do_split () bool, conn_row () int32)``.
    """
    enabled = conn_mask(genome) & (genome.conns[:, C_ENABLED] > 0.5)
    do = draws.bernoulli(params.node_add)
    row, any_enabled = draws.choice(enabled)
    return do & any_enabled, row


def assign_split_keys(pairs: Array, do_split: Array, next_key: Array) -> tuple[Array, Array]:
    """Gives one new node key per distinct split connection of the generation.

    Args:
        pairs: ``(pop, 2)`` float32 ``(in_key, out_key)`` of each genome's split connection.
        do_split: ``(pop,)`` bool.
        next_key: ``()`` float32, the first unused node key.

    Returns:
        ``(new_keys (pop,) float32, next_key ())``: genomes splitting the same connection
        get the same key; keys follow the sorted order of the distinct pairs.
    """
    big = jnp.float32(jnp.finfo(jnp.float32).max)
    a = jnp.where(do_split, pairs[:, 0], big)
    b = jnp.where(do_split, pairs[:, 1], big)
    order = jnp.lexsort((b, a))
    sa, sb = a[order], b[order]
    first = jnp.concatenate([jnp.ones((1,), bool), (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])])
    valid_sorted = do_split[order]
    rank_sorted = jnp.cumsum(first & valid_sorted) - 1
    ranks = jnp.zeros_like(rank_sorted).at[order].set(rank_sorted)
    new_keys = jnp.where(do_split, next_key + ranks.astype(jnp.float32), jnp.nan)
    count = jnp.sum(first & valid_sorted)
    return new_keys, next_key + count.astype(jnp.float32)


def apply_split(
    genome: Genome, do: Array, row: Array, new_key: Array, config: GenomeConfig
) -> Genome:
    """Splits connection ``row`` with a node keyed ``new_key`` (no-op without room)."""
    node_slot, node_room = _first_free(node_mask(genome))
    cmask = conn_mask(genome)
    c1, room1 = _first_free(cmask)
    c2, room2 = _first_free(cmask | (jnp.arange(cmask.shape[0]) == c1))
    ok = do & node_room & room1 & room2
    old = genome.conns[row]
    act = config.activation_options.index(config.activation_default)
    agg = config.aggregation_options.index(config.aggregation_default)
    node_row = jnp.array([0.0, 0.0, 1.0, act, agg], jnp.float32).at[N_KEY].set(new_key)
    in_row = jnp.stack([old[C_IN], new_key, jnp.float32(1.0), jnp.float32(1.0)])
    out_row = jnp.stack([new_key, old[C_OUT], old[C_WEIGHT], jnp.float32(1.0)])
    nodes = set_row(genome.nodes, node_slot, node_row, ok)
    conns = set_row(genome.conns, row, old.at[C_ENABLED].set(0.0), ok)
    conns = set_row(conns, c1, in_row, ok)
    conns = set_row(conns, c2, out_row, ok)
    return Genome(nodes=nodes, conns=conns)


def delete_node(draws: Draws, genome: Genome, params: NEATParams, config: GenomeConfig) -> Genome:
    """With probability ``node_delete`` removes a random hidden node and its connections."""
    hidden = node_mask(genome) & (jnp.arange(genome.nodes.shape[0]) >= config.num_io)
    do = draws.bernoulli(params.node_delete)
    slot, any_hidden = draws.choice(hidden)
    ok = do & any_hidden
    node_key = genome.nodes[slot, N_KEY]
    touching = (genome.conns[:, C_IN] == node_key) | (genome.conns[:, C_OUT] == node_key)
    nodes = set_row(genome.nodes, slot, jnp.full(genome.nodes.shape[1:], jnp.nan), ok)
    conns = jnp.where((ok & touching)[:, None], jnp.nan, genome.conns)
    return Genome(nodes=nodes, conns=conns)


def add_connection(
    draws: Draws, genome: Genome, params: NEATParams, config: GenomeConfig
) -> Genome:
    """With probability ``conn_add`` adds a connection between two random nodes.

    As in neat-python 2.0, the target is any non-input node and the source any node (any
    non-output node for feedforward genomes), drawn uniformly; the mutation does nothing
    when the pair is already connected (enabled or not) or, for feedforward genomes, when
    it would close a cycle (a self-loop included).
    """
    n = genome.nodes.shape[0]
    present = node_mask(genome)
    slots = jnp.arange(n)
    do = draws.bernoulli(params.conn_add)
    is_output = (slots >= config.num_inputs) & (slots < config.num_io)
    src, _ = draws.choice(present & ~is_output if config.feedforward else present)
    dst, any_dst = draws.choice(present & (slots >= config.num_inputs))
    weight = params.weight_init_mean + params.weight_init_std * draws.normal()
    weight = jnp.clip(weight, params.weight_min, params.weight_max)
    src_key, dst_key = genome.nodes[src, N_KEY], genome.nodes[dst, N_KEY]
    exists = jnp.any((genome.conns[:, C_IN] == src_key) & (genome.conns[:, C_OUT] == dst_key))
    ok = do & any_dst & ~exists
    if config.feedforward:
        ok = ok & (src != dst) & ~_key_reaches(genome, dst_key, src_key)
    slot, room = _first_free(conn_mask(genome))
    ok = ok & room
    row = jnp.stack([src_key, dst_key, weight, jnp.float32(1.0)])
    conns = set_row(genome.conns, slot, row, ok)
    return genome.replace(conns=conns)


def _key_reaches(genome: Genome, start: Array, target: Array) -> Array:
    """Whether node ``target`` can be reached from node ``start`` along any connection.

    Propagates a reached-flag along connections (enabled or not), one hop per iteration,
    until nothing changes.
    """
    keys = genome.nodes[:, N_KEY]
    reach = links(*endpoints(genome)) > 0

    def cond(carry):
        seen, prev = carry
        return jnp.any(seen != prev)

    def body(carry):
        seen, _ = carry
        return seen | jnp.any(reach & seen[:, None], axis=0), seen

    seen, _ = jax.lax.while_loop(cond, body, body((keys == start, None)))
    return jnp.any(seen & (keys == target))


def delete_connection(draws: Draws, genome: Genome, params: NEATParams) -> Genome:
    """With probability ``conn_delete`` removes a random connection."""
    do = draws.bernoulli(params.conn_delete)
    row, any_conn = draws.choice(conn_mask(genome))
    ok = do & any_conn
    conns = set_row(genome.conns, row, jnp.full(genome.conns.shape[1:], jnp.nan), ok)
    return genome.replace(conns=conns)


def mutate_attributes(
    draws: Draws, genome: Genome, params: NEATParams, config: GenomeConfig
) -> Genome:
    """Perturbs/replaces biases, responses and weights; replaces activations, aggregations;
    toggles enabled flags. Input nodes and empty rows are left alone."""
    n, c = genome.nodes.shape[0], genome.conns.shape[0]
    nodes, conns = genome.nodes, genome.conns
    mutable = node_mask(genome) & (jnp.arange(n) >= config.num_inputs)
    bias = params.bias.mutate(draws, nodes[:, N_BIAS])
    response = params.response.mutate(draws, nodes[:, N_RESPONSE])
    n_act, n_agg = len(config.activation_options), len(config.aggregation_options)
    new_act = draws.randint(n_act, (n,)).astype(jnp.float32)
    new_agg = draws.randint(n_agg, (n,)).astype(jnp.float32)
    act = jnp.where(draws.bernoulli(params.activation_replace_rate, (n,)), new_act, nodes[:, N_ACT])
    agg = jnp.where(
        draws.bernoulli(params.aggregation_replace_rate, (n,)), new_agg, nodes[:, N_AGG]
    )
    new_nodes = jnp.stack([nodes[:, N_KEY], bias, response, act, agg], axis=1)
    nodes = jnp.where(mutable[:, None], new_nodes, nodes)
    valid = conn_mask(genome)
    weight = params.weight.mutate(draws, conns[:, C_WEIGHT])
    flip = draws.bernoulli(params.enabled_mutate_rate, (c,))
    enabled = jnp.where(flip, 1.0 - conns[:, C_ENABLED], conns[:, C_ENABLED])
    new_conns = jnp.stack([conns[:, C_IN], conns[:, C_OUT], weight, enabled], axis=1)
    conns = jnp.where(valid[:, None], new_conns, conns)
    return Genome(nodes=nodes, conns=conns)


def uniforms_needed(config: GenomeConfig) -> int:
    """Uniforms one genome's :func:`mutate_genome` takes."""
    n, c = config.max_nodes, config.max_conns
    return (1 + c) + (1 + n) + (1 + 2 * n) + (1 + c) + (2 * n + 4 * n + c + c)


def normals_needed(config: GenomeConfig) -> int:
    """Normals one genome's :func:`mutate_genome` takes."""
    n, c = config.max_nodes, config.max_conns
    return 1 + 4 * n + 2 * c


def population_draws(key: PRNGKey, pop: int, config: GenomeConfig) -> tuple[Array, Array]:
    """The ``(uniform, normal)`` rows :func:`mutate_population` takes, for ``pop`` genomes."""
    return Draws.population(key, pop, uniforms_needed(config), normals_needed(config))


def mutate_population(
    uniform: Array,
    normal: Array,
    population: Genome,
    next_node_key: Array,
    params: NEATParams,
    config: GenomeConfig,
) -> tuple[Genome, Array]:
    """Applies every mutation to every genome of ``population`` (leading axis ``pop``).

    Order: add node, delete node, add connection, delete connection, attributes. Each
    genome uses one row of pre-drawn random numbers (see :mod:`evotrain.neat.draws`).

    Args:
        uniform: ``(pop, uniforms_needed(config))`` uniforms in ``[0, 1)``.
        normal: ``(pop, normals_needed(config))`` standard normals.
        population: genomes with leading axis ``pop``.
        next_node_key: ``()`` the next unused node key.
        params: mutation hyperparameters.
        config: the genomes' capacities.

    Returns:
        ``(population, next_node_key)``.
    """
    for name, rows, need in (
        ("uniform", uniform, uniforms_needed(config)),
        ("normal", normal, normals_needed(config)),
    ):
        if rows.shape != (population.nodes.shape[0], need):
            raise ValueError(
                f"mutate_population: {name} has shape {rows.shape}, needs (pop, {need})."
            )

    def split_of(u, z, genome):
        return propose_split(Draws(u, z), genome, params)

    do, rows = jax.vmap(split_of)(uniform[:, : 1 + config.max_conns], normal, population)
    pairs = jnp.take_along_axis(population.conns, rows[:, None, None], axis=1)[:, 0, :2]
    new_keys, next_node_key = assign_split_keys(pairs, do, next_node_key)
    population = jax.vmap(apply_split, in_axes=(0, 0, 0, 0, None))(
        population, do, rows, new_keys, config
    )

    def rest(u, z, genome):
        draws = Draws(u, z)
        draws.skip_uniform(1 + config.max_conns)  # taken by propose_split above
        genome = delete_node(draws, genome, params, config)
        genome = add_connection(draws, genome, params, config)
        genome = delete_connection(draws, genome, params)
        return mutate_attributes(draws, genome, params, config)

    return jax.vmap(rest)(uniform, normal, population), next_node_key
