"""Capacity levels: the growth bound they rely on, cutting and padding, level choice."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from evotrain import NEAT
from evotrain.envs import FunctionFit
from evotrain.neat import GenomeConfig, crossover
from evotrain.neat.capacity import (
    CONN_GROWTH,
    NODE_GROWTH,
    capacity_levels,
    grow,
    level_for,
    rows_used,
    shrink,
)
from evotrain.neat.draws import Draws
from evotrain.neat.genome import Genome
from evotrain.neat.mutation import mutate_population, population_draws
from tests.neat.test_genome_properties import FF, POP, SETTINGS, _evolved, params_strategy


def test_levels_double_up_to_full_capacity():
    assert capacity_levels(GenomeConfig(2, 1, max_nodes=50, max_conns=100)) == (
        (16, 32),
        (32, 64),
        (50, 100),
    )
    # 11 inputs x 3 outputs start with 33 connections: the first level needs room for them.
    assert capacity_levels(GenomeConfig(11, 3, max_nodes=50, max_conns=100)) == (
        (16, 64),
        (32, 100),
        (50, 100),
    )
    assert capacity_levels(GenomeConfig(2, 1, max_nodes=10, max_conns=20)) == ((10, 20),)


def test_level_leaves_room_for_one_generation_of_growth():
    levels = ((16, 32), (32, 64), (50, 100))
    assert level_for(levels, 3, 2) == 0
    assert level_for(levels, 16 - NODE_GROWTH, 32 - CONN_GROWTH) == 0
    assert level_for(levels, 16 - NODE_GROWTH + 1, 10) == 1
    assert level_for(levels, 10, 32 - CONN_GROWTH + 1) == 1
    assert level_for(levels, 40, 90) == 2
    assert level_for(levels, 50, 100) == 2


def _genome(node_rows: list[int], conn_rows: list[int], n: int = 8, c: int = 10) -> Genome:
    nodes = np.full((n, 5), np.nan, np.float32)
    conns = np.full((c, 4), np.nan, np.float32)
    nodes[node_rows] = 1.0
    conns[conn_rows] = 1.0
    return Genome(jnp.asarray(nodes), jnp.asarray(conns))


def test_rows_used_is_the_highest_occupied_row_of_any_genome_in_a_tree():
    a = _genome([0, 1, 5], [0, 2])  # a hole at rows 2-4 still counts up to row 5
    b = _genome([0, 1], [0, 1, 2, 3, 7])
    pop = jax.tree_util.tree_map(lambda x, y: jnp.stack([x, y]), a, b)
    nodes, conns = rows_used({"population": pop, "other": jnp.zeros(3)})
    assert (int(nodes), int(conns)) == (6, 8)


def test_shrink_then_grow_restores_genomes_and_pads_with_nan():
    a = _genome([0, 1, 2], [0, 1])
    tree = {"g": a, "x": jnp.arange(3)}
    small = shrink(tree, 4, 5)
    assert small["g"].nodes.shape == (4, 5) and small["g"].conns.shape == (5, 4)
    back = grow(small, 8, 10)
    np.testing.assert_array_equal(np.asarray(back["g"].nodes), np.asarray(a.nodes))
    np.testing.assert_array_equal(np.asarray(back["g"].conns), np.asarray(a.conns))
    np.testing.assert_array_equal(np.asarray(back["x"]), np.arange(3))


@jax.jit
def _mutated_and_crossed(key, pop: Genome, params) -> tuple[Genome, Genome]:
    """``pop`` after one mutation, and each genome crossed with its mirror in ``pop`` (one
    compiled program for every example)."""
    k_mut, k_cross = jax.random.split(key)
    mutated, _ = mutate_population(
        *population_draws(k_mut, POP, FF), pop, jnp.float32(100.0), params, FF
    )
    u, z = Draws.population(k_cross, POP, 200, 1)
    partners = jax.tree_util.tree_map(lambda x: x[::-1], pop)
    children = jax.vmap(lambda a, b, x, y: crossover(Draws(a, b), x, y))(u, z, pop, partners)
    return mutated, children


@SETTINGS
@given(seed=st.integers(0, 2**16), params=params_strategy, rounds=st.integers(0, 8))
def test_one_generation_grows_rows_by_at_most_the_bound(seed, params, rounds):
    pop = _evolved(seed, params, rounds)
    nodes0, conns0 = (int(x) for x in rows_used(pop))
    mutated, children = _mutated_and_crossed(jax.random.key(seed), pop, params)
    nodes1, conns1 = (int(x) for x in rows_used(mutated))
    room_n = FF.max_nodes - nodes0
    room_c = FF.max_conns - conns0
    if room_n >= NODE_GROWTH and room_c >= CONN_GROWTH:
        assert nodes1 <= nodes0 + NODE_GROWTH and conns1 <= conns0 + CONN_GROWTH
    # A child of crossover uses no row its fitter parent does not.
    for i in range(POP):
        child = jax.tree_util.tree_map(lambda x, i=i: x[i], children)
        parent = jax.tree_util.tree_map(lambda x, i=i: x[i], pop)
        np.testing.assert_array_equal(
            np.isnan(np.asarray(child.nodes[:, 0])), np.isnan(np.asarray(parent.nodes[:, 0]))
        )
        np.testing.assert_array_equal(
            np.isnan(np.asarray(child.conns[:, 0])), np.isnan(np.asarray(parent.conns[:, 0]))
        )


def test_training_moves_up_a_level_when_genomes_outgrow_it():
    # 4 inputs x 7 outputs start with 28 connections: level 0 (32 rows) has room for one
    # generation of growth, and the first split leaves too little for the next.
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    problem = FunctionFit(x, np.tile(x.sum(axis=1, keepdims=True), (1, 7)), name="wide")
    model = NEAT(
        "FeedForward",
        problem,
        pop_size=12,
        max_nodes=20,
        max_conns=40,
        node_add=1.0,
        node_delete=0.0,
        conn_delete=0.0,
        seed=0,
    )
    step = model._step
    assert step.levels == ((16, 32), (20, 40))
    seen = []
    for _ in range(3):
        seen.append(step.level(model.train_state))
        model.learn(1)
    assert seen == [0, 0, 1]
    ts = model.train_state
    pop = ts.strategy_state.population
    assert pop.nodes.shape == (12, 20, 5) and pop.conns.shape == (12, 40, 4)
    nodes, conns = (int(x) for x in rows_used(ts))
    assert nodes > 16 - NODE_GROWTH or conns > 32 - CONN_GROWTH
    # Padding stays NaN: every row is either wholly a gene or wholly NaN.
    for x in (np.asarray(pop.nodes), np.asarray(pop.conns)):
        empty = np.isnan(x[..., 0])
        assert np.all(np.isnan(x[empty])) and not np.any(np.isnan(x[~empty][..., :2]))
