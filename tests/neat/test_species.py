import jax
import jax.numpy as jnp
import numpy as np

from evotrain.neat import GenomeConfig, NEATParams, initial_genome
from evotrain.neat.genome import C_WEIGHT, Genome
from evotrain.neat.species import (
    SpeciesState,
    allocate_offspring,
    speciate,
    update_stagnation,
)

CFG = GenomeConfig(2, 1, max_nodes=6, max_conns=8)
PARAMS = NEATParams(compatibility_threshold=3.0, compatibility_homologous=1.0)


def _population(weights):
    """Genomes identical but for both connection weights (distance = |w_a - w_b|)."""
    p = NEATParams(bias_init_std=0.0)
    base = initial_genome(jax.random.key(0), CFG, p.bias, p.response, p.weight)
    pop = len(weights)
    nodes = jnp.broadcast_to(base.nodes, (pop,) + base.nodes.shape)
    conns = jnp.broadcast_to(base.conns, (pop,) + base.conns.shape)
    w = jnp.asarray(weights, jnp.float32)[:, None]
    conns = conns.at[:, :2, C_WEIGHT].set(jnp.broadcast_to(w, (pop, 2)))
    return Genome(nodes=nodes, conns=conns)


def _empty(population, slots):
    reps = jax.tree_util.tree_map(lambda x: jnp.zeros((slots,) + x.shape[1:], x.dtype), population)
    return SpeciesState(
        reps=reps,
        alive=jnp.zeros((slots,), bool),
        best=jnp.full((slots,), -jnp.inf),
        last_improved=jnp.zeros((slots,), jnp.int32),
        size=jnp.zeros((slots,), jnp.int32),
        threshold=jnp.asarray(PARAMS.compatibility_threshold),
    )


def _speciate(population, state, generation=0):
    return speciate(population, state, jnp.asarray(generation), PARAMS, CFG.num_inputs)


def test_founders_in_population_order_and_closest_species():
    pop = _population([0.0, 0.5, 10.0, 10.4, 1.0, 20.0])
    species, state = _speciate(pop, _empty(pop, 4))
    np.testing.assert_array_equal(species, [0, 0, 1, 1, 0, 2])
    np.testing.assert_array_equal(state.alive, [True, True, True, False])
    np.testing.assert_array_equal(state.size, [3, 2, 1, 0])


def test_old_species_keep_living_through_their_closest_genome():
    first = _population([0.0, 10.0])
    _, state = _speciate(first, _empty(first, 3))
    # The next population drifted: nothing is within the threshold of species 1's old
    # representative (10.0), but its closest genome (15.0) becomes its representative.
    nxt = _population([0.2, 15.0, 16.0, 30.0])
    species, state = _speciate(nxt, state, generation=1)
    np.testing.assert_array_equal(species, [0, 1, 1, 2])
    np.testing.assert_allclose(state.reps.conns[:, 0, C_WEIGHT], [0.2, 15.0, 30.0])


def test_no_free_slot_joins_the_closest_species():
    pop = _population([0.0, 10.0, 30.0, 14.0])
    species, state = _speciate(pop, _empty(pop, 2))
    np.testing.assert_array_equal(species, [0, 1, 1, 1])
    assert int(state.alive.sum()) == 2


def test_species_threshold_moves_toward_target():
    params = PARAMS.replace(species_target=3.0, compatibility_threshold_step=0.5)
    pop = _population([0.0, 0.1])
    _, state = speciate(pop, _empty(pop, 4), jnp.asarray(0), params, CFG.num_inputs)
    assert float(state.threshold) == 2.5  # one species < target: lower the threshold


def test_stagnant_species_are_removed_except_the_elite():
    state = SpeciesState(
        reps=None,
        alive=jnp.array([True, True, True]),
        best=jnp.array([5.0, 5.0, 1.0]),
        last_improved=jnp.array([0, 0, 0]),
        size=jnp.array([2, 2, 2]),
        threshold=jnp.asarray(3.0),
    )
    fitness = jnp.array([1.0, 2.0, 3.0, 4.0, 0.0, 0.5])
    species = jnp.array([0, 0, 1, 1, 2, 2])
    params = NEATParams(max_stagnation=10, species_elitism=1)
    new = update_stagnation(state, fitness, species, jnp.asarray(10), params)
    # No species beat its record; species 1 (fittest, 4.0) is protected, the others go.
    np.testing.assert_array_equal(new.alive, [False, True, False])
    np.testing.assert_array_equal(new.last_improved, [0, 0, 0])
    kept = update_stagnation(state, fitness, species, jnp.asarray(5), params)
    np.testing.assert_array_equal(kept.alive, [True, True, True])


def test_offspring_allocation_sums_to_pop_size_and_follows_fitness():
    fitness = jnp.array([0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0])
    species = jnp.array([0, 0, 1, 1, 1, 1, 2, 2])
    reproducing = jnp.array([True, True, True, False])
    prev = jnp.array([2, 4, 2, 0])
    params = NEATParams(spawn_number_change_rate=1.0, min_species_size=1)
    for method in ("fitness", "rank"):
        spawn = allocate_offspring(fitness, species, reproducing, prev, 8, params, method)
        assert int(spawn.sum()) == 8
        assert int(spawn[3]) == 0
        assert spawn[2] >= spawn[1] >= spawn[0]
    spawn = allocate_offspring(fitness, species, reproducing, prev, 8, params, "fitness")
    # Mean normalized fitness 0, 0.5, 1: shares 0, 8/3, 16/3, floored at 1, rescaled to 8
    # (0.89, 2.37, 4.74) and rounded by largest remainder.
    np.testing.assert_array_equal(spawn, [1, 2, 5, 0])
