import jax.numpy as jnp
import numpy as np
import optax
import pytest

from evotrain.strategies import OpenESConfig, OpenESParams, OpenESStrategy
from evotrain.strategies.open_es import check_params


def test_antithetic_pairs_mirror_the_mean(key):
    es = OpenESStrategy(OpenESConfig(pop_size=8, num_dims=3), initializer=lambda k: jnp.ones(3))
    params = OpenESParams(sigma_init=0.5)
    state = es.init(key, params)
    pop, _ = es.ask(key, state, params)
    np.testing.assert_allclose(pop[:4] + pop[4:], 2.0 * np.ones((4, 3)), atol=1e-6)


def test_gradient_points_towards_fitter_side(key):
    es = OpenESStrategy(OpenESConfig(pop_size=64, num_dims=2), optax.sgd(0.1))
    params = OpenESParams(sigma_init=0.1)
    state = es.init(key, params)
    pop, state = es.ask(key, state, params)
    new, metrics = es.tell(key, pop, pop[:, 0], state, params)  # fitness = first coordinate
    assert float(new.mean[0]) > 0.0 and abs(float(new.mean[1])) < float(new.mean[0])
    assert float(metrics["grad_norm"]) > 0


def test_weight_decay_pulls_mean_to_zero(key):
    es = OpenESStrategy(
        OpenESConfig(pop_size=16, num_dims=2), optax.sgd(1.0), lambda k: jnp.full(2, 4.0)
    )
    params = OpenESParams(weight_decay=0.5)
    state = es.init(key, params)
    pop, state = es.ask(key, state, params)
    new, _ = es.tell(key, pop, jnp.zeros(16), state, params)  # flat fitness: only decay acts
    np.testing.assert_allclose(new.mean, [2.0, 2.0], atol=1e-6)


def test_sigma_decays_to_limit(key):
    es = OpenESStrategy(OpenESConfig(pop_size=4, num_dims=1))
    params = OpenESParams(sigma_init=0.1, sigma_decay=0.5, sigma_limit=0.03)
    state = es.init(key, params)
    for _ in range(3):
        pop, state = es.ask(key, state, params)
        state, _ = es.tell(key, pop, jnp.zeros(4), state, params)
    assert float(state.sigma) == pytest.approx(0.03)


def test_neg_inf_fitness_is_just_the_worst_rank(key):
    es = OpenESStrategy(OpenESConfig(pop_size=4, num_dims=2))
    params = es.default_params
    state = es.init(key, params)
    pop, state = es.ask(key, state, params)
    new, _ = es.tell(key, pop, jnp.array([1.0, -jnp.inf, 0.0, -jnp.inf]), state, params)
    assert np.all(np.isfinite(np.asarray(new.mean)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pop_size": 7, "num_dims": 3}, "odd"),
        ({"pop_size": 1, "num_dims": 3, "antithetic": False}, "at least 2"),
        ({"pop_size": 4, "num_dims": 0}, "num_dims"),
    ],
)
def test_bad_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OpenESConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sigma_init": 0.0}, "sigma_init"),
        ({"sigma_decay": 1.5}, "sigma_decay"),
        ({"sigma_limit": -1.0}, "sigma_limit"),
        ({"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_bad_params(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_params(OpenESParams(**kwargs))


def test_non_antithetic_population(key):
    es = OpenESStrategy(OpenESConfig(pop_size=5, num_dims=2, antithetic=False))
    pop, _ = es.ask(key, es.init(key, es.default_params), es.default_params)
    assert pop.shape == (5, 2)
    assert not np.allclose(pop[0], -pop[2])
