"""The seed-chain GA: chains grow by one seed per generation, decode to exactly what a float
GA applying the same mutations holds, and cost nothing per parameter."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evotrain.networks import MLP
from evotrain.strategies import GAConfig, SeedChain, SeedChainConfig, SeedChainGA, SeedDecoder
from tests.strategies.conftest import sphere


def _strategy(pop_size=12, num_dims=5, elite_size=2, selection="truncation", capacity=16):
    config = GAConfig(
        pop_size=pop_size, num_dims=num_dims, elite_size=elite_size, selection=selection
    )
    return SeedChainGA(SeedChainConfig(config, capacity))


def _float_twin_run(strategy, decoder, key, generations, fitness_fn):
    """Runs the seed-chain GA and, beside it, a float GA that holds parameters and applies
    each generation's selection and mutation seeds to them (jitted, as a GA runs). Returns both populations per
    generation ``[(decoded, floats)]`` and the fitness history of each."""
    decode_all = jax.jit(jax.vmap(decoder))
    reproduce = jax.jit(
        lambda floats, plan: jnp.concatenate(
            [floats[plan.elites], floats[plan.parents] + jax.vmap(decoder.mutation)(plan.seeds)]
        )
    )
    init_key, key = jax.random.split(key)
    state = strategy.init(init_key, ())
    floats = jax.jit(jax.vmap(decoder.initial))(state.population.seeds[:, 0])
    float_fitness = jnp.full((strategy.config.pop_size,), -jnp.inf)
    pairs, histories = [], ([], [])
    ask, tell = jax.jit(strategy.ask), jax.jit(strategy.tell)
    for g in range(generations):
        key, ask_key = jax.random.split(key)
        chains, state = ask(ask_key, state, ())
        if g > 0:
            plan = strategy.offspring(ask_key, float_fitness)
            floats = reproduce(floats, plan)
        decoded = decode_all(chains)
        fitness = fitness_fn(decoded)
        float_fitness = fitness_fn(floats)
        state, _ = tell(ask_key, chains, fitness, state, ())
        pairs.append((decoded, floats))
        histories[0].append(np.asarray(fitness))
        histories[1].append(np.asarray(float_fitness))
    return pairs, histories, state


@pytest.mark.parametrize("mutation_rate", [1.0, 0.3])
def test_decoded_population_equals_a_float_ga_with_the_same_mutations(mutation_rate):
    mlp = MLP((3, 4, 2))
    decoder = SeedDecoder(mlp.num_params, 0.05, mutation_rate, 0.1, mlp.init)
    strategy = _strategy(num_dims=mlp.num_params)
    pairs, (chain_fit, float_fit), state = _float_twin_run(
        strategy, decoder, jax.random.key(3), 8, sphere
    )
    for decoded, floats in pairs:
        np.testing.assert_array_equal(np.asarray(decoded), np.asarray(floats))
    np.testing.assert_array_equal(np.stack(chain_fit), np.stack(float_fit))
    assert int(state.population.length.max()) == 8  # generation 0 plus 7 mutations
    assert chain_fit[-1].max() > chain_fit[0].max()  # and the GA climbs


def test_chain_fitness_improves_on_the_sphere():
    decoder = SeedDecoder(6, 0.1, 1.0, 0.5, None)
    strategy = _strategy(pop_size=32, num_dims=6, capacity=40)
    _, (fit, _), _ = _float_twin_run(strategy, decoder, jax.random.key(0), 40, sphere)
    assert fit[-1].max() > 0.5 * fit[0].max()  # sphere maximum is 0; start is about -13


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    pop_size=st.integers(2, 9),
    elite_frac=st.floats(0.0, 0.9),
    selection=st.sampled_from(["truncation", "tournament"]),
    # No float32 subnormals (width=32: a float64 such as 3.4e-44 is normal, its float32 is
    # not): XLA on the CPU flushes them to zero, so they tie with 0.0 there, while the NumPy
    # ordering below would not.
    fitness=st.lists(
        st.floats(-5, 5, allow_nan=False, allow_subnormal=False, width=32), min_size=9, max_size=9
    ),
    lengths=st.lists(st.integers(1, 5), min_size=9, max_size=9),
)
def test_children_are_their_parent_chain_plus_one_seed_and_elites_are_kept(
    seed, pop_size, elite_frac, selection, fitness, lengths
):
    elite = min(int(elite_frac * pop_size), pop_size - 1)
    strategy = _strategy(pop_size, 3, elite, selection, capacity=8)
    key = jax.random.key(seed)
    state = strategy.init(key, ())
    length = jnp.asarray(lengths[:pop_size], jnp.int32)
    seeds = jax.random.bits(key, (pop_size, 8), jnp.uint32)
    seeds = jnp.where(jnp.arange(8) < length[:, None], seeds, 0)
    fit = jnp.asarray(fitness[:pop_size], jnp.float32)
    state = state.replace(
        population=SeedChain(seeds=seeds, length=length), fitness=fit, generation=1
    )
    ask_key = jax.random.key(seed + 1)
    chains, _ = strategy.ask(ask_key, state, ())
    plan = strategy.offspring(ask_key, fit)
    seeds, length, new_seeds, new_length = map(
        np.asarray, (seeds, length, chains.seeds, chains.length)
    )
    order = np.argsort(-np.asarray(fit), kind="stable")
    for i in range(elite):  # the best `elite` chains, unchanged
        np.testing.assert_array_equal(new_seeds[i], seeds[order[i]])
        assert new_length[i] == length[order[i]]
    for c, (p, s) in enumerate(zip(np.asarray(plan.parents), np.asarray(plan.seeds))):
        row = new_seeds[elite + c]
        assert new_length[elite + c] == length[p] + 1
        np.testing.assert_array_equal(row[: length[p]], seeds[p][: length[p]])
        assert row[length[p]] == s
        assert not row[length[p] + 1 :].any()
    if selection == "truncation":  # parents come from the top pool only
        pool = set(order[: strategy.config.ga.num_parents].tolist())
        assert set(np.asarray(plan.parents).tolist()) <= pool


def test_first_generation_is_the_initial_chains():
    strategy = _strategy()
    state = strategy.init(jax.random.key(1), ())
    chains, _ = strategy.ask(jax.random.key(2), state, ())
    np.testing.assert_array_equal(np.asarray(chains.seeds), np.asarray(state.population.seeds))
    assert (np.asarray(chains.length) == 1).all()
    assert len(set(np.asarray(chains.seeds[:, 0]).tolist())) == 12


def test_state_size_does_not_depend_on_the_number_of_parameters():
    def nbytes(num_dims):
        state = _strategy(pop_size=256, num_dims=num_dims, capacity=100).init(jax.random.key(0), ())
        return sum(x.nbytes for x in jax.tree_util.tree_leaves(state))

    assert nbytes(10) == nbytes(1_000_000) < 256 * 101 * 4 + 4096


def test_mutation_rate_masks_genes_and_the_initial_draw_uses_the_initializer():
    decoder = SeedDecoder(10_000, 0.1, 0.25, 0.0, None)
    mutated = np.asarray(decoder.mutation(jnp.uint32(7))) != 0
    assert 0.22 < mutated.mean() < 0.28
    mlp = MLP((4, 8, 2))
    exact = SeedDecoder(mlp.num_params, 0.1, 1.0, 0.0, mlp.init)
    base_key, _ = jax.random.split(jax.random.key(jnp.uint32(5)))
    np.testing.assert_array_equal(
        np.asarray(exact.initial(jnp.uint32(5))), np.asarray(mlp.init(base_key))
    )


def test_bad_capacity():
    with pytest.raises(ValueError, match="max_generations must be positive"):
        SeedChainConfig(GAConfig(pop_size=4, num_dims=2), 0)
