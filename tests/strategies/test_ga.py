import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.strategies import GAConfig, GAParams, GAStrategy
from evotrain.strategies.ga import check_params


def _evaluated_state(ga, key, fitness):
    params = ga.default_params
    state = ga.init(key, params)
    pop, state = ga.ask(key, state, params)
    state, _ = ga.tell(key, pop, fitness, state, params)
    return state, params


def test_generation_zero_returns_initial_population(key):
    ga = GAStrategy(GAConfig(pop_size=6, num_dims=3))
    params = ga.default_params
    state = ga.init(key, params)
    pop, _ = ga.ask(key, state, params)
    np.testing.assert_array_equal(pop, state.population)


def test_elites_are_copied_unchanged(key):
    ga = GAStrategy(GAConfig(pop_size=8, num_dims=4, elite_size=2))
    fitness = jnp.array([0.0, 5.0, 1.0, 9.0, 2.0, -jnp.inf, 3.0, 4.0])
    state, params = _evaluated_state(ga, key, fitness)
    offspring, _ = ga.ask(key, state, params)
    np.testing.assert_array_equal(offspring[0], state.population[3])
    np.testing.assert_array_equal(offspring[1], state.population[1])


def test_truncation_without_crossover_mutates_top_parents(key):
    ga = GAStrategy(
        GAConfig(pop_size=50, num_dims=3, elite_size=1, selection="truncation", truncation_size=2)
    )
    params = GAParams(mutation_sigma=1e-4, crossover_rate=0.0)
    state = ga.init(key, params)
    state = state.replace(fitness=jnp.arange(50.0), generation=jnp.ones((), jnp.int32))
    offspring, _ = ga.ask(key, state, params)
    top = state.population[jnp.array([49, 48])]
    dist = np.abs(np.asarray(offspring)[:, None, :] - np.asarray(top)[None]).max(-1).min(-1)
    assert dist.max() < 1e-2  # every child is a slightly mutated copy of a top-2 parent


def test_tournament_prefers_fitter_parents(key):
    ga = GAStrategy(GAConfig(pop_size=200, num_dims=1, elite_size=0, tournament_size=5))
    params = GAParams(mutation_sigma=0.0, crossover_rate=0.0)
    state = ga.init(key, params)
    state = state.replace(
        population=jnp.arange(200.0)[:, None],
        fitness=jnp.arange(200.0),
        generation=jnp.ones((), jnp.int32),
    )
    offspring, _ = ga.ask(key, state, params)
    assert float(offspring.mean()) > 130.0  # E[max of 5 uniform] = 5/6 of the range


def test_uniform_crossover_mixes_genes(key):
    ga = GAStrategy(GAConfig(pop_size=100, num_dims=20, elite_size=0, tournament_size=1))
    params = GAParams(mutation_sigma=0.0, crossover_rate=1.0)
    state = ga.init(key, params)
    pop = jnp.concatenate([jnp.zeros((50, 20)), jnp.ones((50, 20))])
    state = state.replace(
        population=pop, fitness=jnp.zeros(100), generation=jnp.ones((), jnp.int32)
    )
    offspring, _ = ga.ask(key, state, params)
    mixed = (offspring.min(axis=1) == 0) & (offspring.max(axis=1) == 1)
    assert int(mixed.sum()) > 20


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"elite_size": 8}, "elite_size"),
        ({"selection": "roulette"}, "Unknown selection 'roulette'"),
        ({"tournament_size": 0}, "tournament_size"),
        ({"truncation_size": 99}, "truncation_size"),
        ({"pop_size": 1}, "at least 2"),
    ],
)
def test_bad_config(kwargs, match):
    base = {"pop_size": 8, "num_dims": 2}
    with pytest.raises(ValueError, match=match):
        GAConfig(**{**base, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mutation_rate": 1.5}, "mutation_rate"),
        ({"crossover_rate": -0.1}, "crossover_rate"),
        ({"mutation_sigma": -1.0}, "mutation_sigma"),
    ],
)
def test_bad_params(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_params(GAParams(**kwargs))
