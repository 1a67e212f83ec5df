"""Property tests (hypothesis) of the tensor-genome operations."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evotrain.neat import GenomeConfig, NEATParams, crossover, distance, initial_genome
from evotrain.neat.draws import Draws
from evotrain.neat.genome import C_IN, C_OUT, N_KEY, Genome
from evotrain.neat.mutation import mutate_population, population_draws
from evotrain.networks.neat_forward import forward, make_plan

POP = 6
FF = GenomeConfig(
    3,
    2,
    max_nodes=12,
    max_conns=24,
    activation_options=("tanh", "sigmoid", "relu", "sin"),
    aggregation_options=("sum", "product", "max", "min", "mean", "maxabs"),
)
REC = GenomeConfig(3, 2, max_nodes=12, max_conns=24, feedforward=False)

probability = st.floats(0.0, 1.0)
params_strategy = st.builds(
    NEATParams,
    node_add=probability,
    node_delete=probability,
    conn_add=probability,
    conn_delete=probability,
    enabled_mutate_rate=probability,
    activation_replace_rate=probability,
    aggregation_replace_rate=probability,
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def _evolve_fn(config: GenomeConfig):
    @jax.jit
    def evolve(key, params, rounds_mask):
        k_init, k_loop = jax.random.split(key)
        g = initial_genome(k_init, config, params.bias, params.response, params.weight)
        pop = jax.tree_util.tree_map(lambda x: jnp.stack([x] * POP), g)

        def body(carry, inp):
            pop, next_key = carry
            k, active = inp
            k_mut, k_cross, k_perm = jax.random.split(k, 3)
            mutated, nk = mutate_population(
                *population_draws(k_mut, POP, config), pop, next_key, params, config
            )
            partners = jax.tree_util.tree_map(
                lambda x: x[jax.random.permutation(k_perm, POP)], mutated
            )
            u, z = Draws.population(k_cross, POP, 200, 1)
            children = jax.vmap(lambda a, b, x, y: crossover(Draws(a, b), x, y))(
                u, z, mutated, partners
            )
            new = jax.tree_util.tree_map(lambda a, b: jnp.where(active, a, b), children, pop)
            return (new, jnp.where(active, nk, next_key)), None

        (pop, _), _ = jax.lax.scan(
            body, (pop, jnp.float32(config.num_io)), (jax.random.split(k_loop, 8), rounds_mask)
        )
        return pop

    return evolve


def _evolved(seed, params, rounds, config=FF) -> Genome:
    mask = jnp.arange(8) < rounds
    return _evolve_fn(config)(jax.random.key(seed), params, mask)


@jax.jit
def _distances_and_self_child(key, pop: Genome, params: NEATParams):
    """d(a, a), d(a, b), d(b, a) for the population's first two genomes, and a child of
    ``a`` crossed with itself (one compiled program for every example)."""
    a = jax.tree_util.tree_map(lambda x: x[0], pop)
    b = jax.tree_util.tree_map(lambda x: x[1], pop)
    u, z = Draws.population(key, 1, 200, 1)
    child = crossover(Draws(u[0], z[0]), a, a)
    return (
        distance(a, a, params, FF.num_inputs),
        distance(a, b, params, FF.num_inputs),
        distance(b, a, params, FF.num_inputs),
        child,
    )


@jax.jit
def _forward_population(pop: Genome, inputs):
    """``(POP, num_outputs)``: each genome of ``pop`` on the ``(num_inputs,)`` inputs."""
    return jax.vmap(lambda g: forward(make_plan(g, FF), inputs, FF))(pop)


def _genomes(pop: Genome):
    nodes, conns = np.asarray(pop.nodes), np.asarray(pop.conns)
    return [(nodes[i], conns[i]) for i in range(nodes.shape[0])]


def _is_acyclic(conns) -> bool:
    edges = {}
    for row in conns:
        if not np.isnan(row[C_IN]):
            edges.setdefault(row[C_IN], []).append(row[C_OUT])
    state = {}

    def visit(u):
        state[u] = 1
        for v in edges.get(u, []):
            if state.get(v) == 1 or (state.get(v) is None and not visit(v)):
                return False
        state[u] = 2
        return True

    return all(state.get(u) == 2 or visit(u) for u in list(edges))


@SETTINGS
@given(seed=st.integers(0, 2**16), params=params_strategy, rounds=st.integers(1, 8))
def test_structure_invariants_hold_after_mutation_and_crossover(seed, params, rounds):
    for config in (FF, REC):
        for nodes, conns in _genomes(_evolved(seed, params, rounds, config)):
            # padding: every row is either fully NaN or fully finite
            for rows in (nodes, conns):
                nan_rows = np.isnan(rows)
                assert np.all(nan_rows.all(1) | ~nan_rows.any(1))
            keys = nodes[~np.isnan(nodes[:, N_KEY]), N_KEY]
            # inputs and outputs intact in their slots
            np.testing.assert_array_equal(nodes[: config.num_io, N_KEY], np.arange(config.num_io))
            # markers: node keys unique, connection markers unique
            assert len(set(keys.tolist())) == len(keys)
            present = conns[~np.isnan(conns[:, C_IN])]
            pairs = {(a, b) for a, b in present[:, :2].tolist()}
            assert len(pairs) == len(present)
            # every connection's endpoints exist; no connection into an input
            assert set(present[:, C_IN].tolist()) <= set(keys.tolist())
            assert set(present[:, C_OUT].tolist()) <= set(keys.tolist())
            assert np.all(present[:, C_OUT] >= config.num_inputs)
            assert len(keys) <= config.max_nodes and len(present) <= config.max_conns
            if config.feedforward:
                assert _is_acyclic(conns)


@SETTINGS
@given(seed=st.integers(0, 2**16), params=params_strategy, rounds=st.integers(0, 8))
def test_distance_identity_symmetry_and_self_crossover(seed, params, rounds):
    pop = _evolved(seed, params, rounds)
    a = jax.tree_util.tree_map(lambda x: x[0], pop)
    d_aa, d_ab, d_ba, child = _distances_and_self_child(jax.random.key(seed), pop, params)
    assert float(d_aa) == 0.0
    d_ab, d_ba = float(d_ab), float(d_ba)
    assert d_ab >= 0.0 and abs(d_ab - d_ba) <= 1e-5 * max(1.0, d_ab)
    np.testing.assert_array_equal(np.asarray(child.nodes), np.asarray(a.nodes))
    np.testing.assert_array_equal(np.asarray(child.conns), np.asarray(a.conns))


@SETTINGS
@given(
    seed=st.integers(0, 2**16),
    params=params_strategy,
    rounds=st.integers(0, 8),
    inputs=st.lists(st.floats(-10, 10), min_size=3, max_size=3),
)
def test_outputs_are_finite_for_finite_inputs(seed, params, rounds, inputs):
    outputs = _forward_population(_evolved(seed, params, rounds), jnp.asarray(inputs))
    assert np.all(np.isfinite(np.asarray(outputs)))


def test_structural_mutations_do_grow_genomes():
    pop = _evolved(0, NEATParams(node_add=1.0, conn_add=1.0), 8)
    for nodes, conns in _genomes(pop):
        assert (~np.isnan(nodes[:, N_KEY])).sum() > FF.num_io
        assert (~np.isnan(conns[:, C_IN])).sum() > FF.num_inputs * FF.num_outputs
