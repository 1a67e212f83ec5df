"""Contract tests every strategy must pass (evosax-style run / run-scan, jit, traces)."""

import jax
import jax.numpy as jnp
import numpy as np

from tests.strategies.conftest import TARGET, sphere


def _generation(strategy, params):
    def step(state, key):
        ask_key, tell_key = jax.random.split(key)
        population, state = strategy.ask(ask_key, state, params)
        state, _ = strategy.tell(tell_key, population, sphere(population), state, params)
        return state, jnp.max(sphere(population))

    return step


def test_improves_on_sphere_in_a_python_loop(strategy, key):
    params = strategy.default_params
    state = strategy.init(key, params)
    step = jax.jit(_generation(strategy, params))
    best = []
    for k in jax.random.split(key, 150):
        state, b = step(state, k)
        best.append(float(b))
    assert best[-1] > best[0]
    policy = strategy.policy_params(state)
    assert np.abs(np.asarray(policy) - TARGET).max() < 0.5


def test_scan_matches_loop(strategy, key):
    params = strategy.default_params
    init = strategy.init(key, params)
    step = _generation(strategy, params)
    keys = jax.random.split(key, 5)
    scanned, best_scan = jax.jit(lambda s: jax.lax.scan(step, s, keys))(init)
    state = init
    jitted = jax.jit(step)
    for i, k in enumerate(keys):
        state, b = jitted(state, k)
        assert float(b) == float(best_scan[i])
    for a, b in zip(jax.tree_util.tree_leaves(state), jax.tree_util.tree_leaves(scanned)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)


def test_same_key_same_state_and_jit_matches_eager(strategy, key):
    params = strategy.default_params
    step = _generation(strategy, params)
    s1, _ = step(strategy.init(key, params), key)
    s2, _ = jax.jit(step)(strategy.init(key, params), key)
    for a, b in zip(jax.tree_util.tree_leaves(s1), jax.tree_util.tree_leaves(s2)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    s3, _ = jax.jit(step)(strategy.init(key, params), key)
    for a, b in zip(jax.tree_util.tree_leaves(s2), jax.tree_util.tree_leaves(s3)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_one_trace_across_generations(strategy, key):
    params = strategy.default_params
    traces = []
    inner = _generation(strategy, params)

    def counted(state, k):
        traces.append(1)
        return inner(state, k)

    step = jax.jit(counted)
    state = strategy.init(key, params)
    for k in jax.random.split(key, 4):
        state, _ = step(state, k)
    assert len(traces) == 1


def test_population_shape(strategy, key):
    params = strategy.default_params
    population, _ = strategy.ask(key, strategy.init(key, params), params)
    assert population.shape == (strategy.config.pop_size, strategy.config.num_dims)
