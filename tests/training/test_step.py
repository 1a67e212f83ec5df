import jax
import jax.numpy as jnp
import numpy as np
import optax

from evotrain.envs import make_env
from evotrain.evaluation import EvalConfig, make_evaluator
from evotrain.networks import MLP
from evotrain.strategies import OpenESConfig, OpenESStrategy
from evotrain.training import fitness_stats, init_train_state, make_generation_step
from tests.helpers import CountdownEnv


def _setup(env, seed=0, obs_norm=False):
    net = MLP((env.spec.obs_size, 4, env.spec.num_outputs))
    es = OpenESStrategy(
        OpenESConfig(pop_size=8, num_dims=net.num_params), optax.adam(0.05), net.init
    )
    params = es.default_params
    step = make_generation_step(
        es, params, make_evaluator(env, net, EvalConfig(obs_normalization=obs_norm))
    )
    ts = init_train_state(jax.random.key(seed), es, params, env.spec.obs_size)
    return jax.jit(step), ts


def _run(step, ts, n):
    history = []
    for _ in range(n):
        ts, metrics = step(ts)
        history.append(np.asarray(metrics["fitness"]))
    return ts, np.stack(history)


def test_same_seed_is_bit_identical():
    env = make_env("gymnax:CartPole-v1", max_steps=100)
    step, ts = _setup(env)
    a, hist_a = _run(step, ts, 4)
    step2, ts2 = _setup(env)
    b, hist_b = _run(step2, ts2, 4)
    np.testing.assert_array_equal(hist_a, hist_b)
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        if jnp.issubdtype(x.dtype, jax.dtypes.prng_key):
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    _, hist_c = _run(*_setup(env, seed=1), 4)
    assert not np.array_equal(hist_a, hist_c)


def test_nonfinite_fitness_is_counted_and_kept_out_of_parameters():
    env = CountdownEnv(max_steps=5, poison=True)
    step, ts = _setup(env)
    total = 0
    for _ in range(5):
        ts, metrics = step(ts)
        total += int(metrics["nonfinite"])
        fitness = np.asarray(metrics["fitness"])
        assert np.all(np.isfinite(fitness) | np.isneginf(fitness))
    assert total > 0
    assert np.all(np.isfinite(np.asarray(ts.strategy_state.mean)))
    assert not np.isnan(float(ts.best_fitness))
    assert np.all(np.isfinite(np.asarray(ts.best_params)))


def test_best_tracking_and_counters():
    env = make_env("gymnax:CartPole-v1", max_steps=50)
    step, ts = _setup(env, obs_norm=True)
    ts, m1 = step(ts)
    ts, m2 = step(ts)
    assert int(ts.generation) == 2
    assert float(ts.best_fitness) == max(float(m1["fitness_max"]), float(m2["fitness_max"]))
    assert float(ts.obs_norm.count) == int(m1["env_steps"]) + int(m2["env_steps"])


def test_fitness_stats_ignore_nonfinite():
    stats = fitness_stats(jnp.array([1.0, 3.0, -jnp.inf]))
    assert float(stats["fitness_mean"]) == 2.0 and float(stats["fitness_min"]) == 1.0
    assert float(stats["fitness_max"]) == 3.0 and float(stats["fitness_std"]) == 1.0
    empty = fitness_stats(jnp.array([-jnp.inf, -jnp.inf]))
    assert np.isneginf(float(empty["fitness_mean"])) and float(empty["fitness_std"]) == 0.0
