import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.envs import make_env
from evotrain.evaluation import EvalConfig, HostEvaluator, init_norm, make_evaluator
from evotrain.networks import MLP
from tests.helpers import PointEnv


def _population(net, n, seed=0):
    return jax.vmap(net.init)(jax.random.split(jax.random.key(seed), n))


def test_chunked_evaluation_equals_unchunked(key):
    env = make_env("gymnax:CartPole-v1", max_steps=60)
    net = MLP((4, 8, 2))
    pop = _population(net, 12)
    full = jax.jit(make_evaluator(env, net, EvalConfig(n_episodes=2)))(key, pop, init_norm(4))
    chunked = jax.jit(make_evaluator(env, net, EvalConfig(n_episodes=2, pop_batch_size=4)))(
        key, pop, init_norm(4)
    )
    np.testing.assert_array_equal(full.fitness, chunked.fitness)
    assert int(full.env_steps) == int(chunked.env_steps) > 0


def test_fitness_is_mean_over_episodes(key):
    env = PointEnv(max_steps=3, target=0.5)
    net = MLP((1, 1))
    # weight 0, bias b: action tanh(b) every step, x_t = t * tanh(b)
    params = jnp.array([[0.0, np.arctanh(0.25)]])
    res = make_evaluator(env, net, EvalConfig(n_episodes=3))(key, params, init_norm(1))
    expected = -(abs(0.25 - 0.5) + abs(0.5 - 0.5) + abs(0.75 - 0.5))
    assert float(res.fitness[0]) == pytest.approx(expected, abs=1e-5)
    assert int(res.env_steps) == 9


@pytest.mark.parametrize("host", [False, True])
def test_reward_shift_subtracts_per_step(key, host):
    """CartPole pays 1 per step, so a shift of 0.25 leaves 3/4 of every fitness."""
    env = make_env(("gymnasium:" if host else "gymnax:") + "CartPole-v1", max_steps=40)
    net = MLP((4, 4, 2))
    pop = _population(net, 6)

    def evaluate(shift):
        config = EvalConfig(n_episodes=2, reward_shift=shift)
        if host:
            return HostEvaluator(env, net, config)(key, pop, init_norm(4))
        return jax.jit(make_evaluator(env, net, config))(key, pop, init_norm(4))

    plain, shifted = evaluate(0.0), evaluate(0.25)
    np.testing.assert_allclose(shifted.fitness, 0.75 * plain.fitness, rtol=1e-6)
    assert float(plain.fitness.min()) > 0
    assert int(shifted.env_steps) == int(plain.env_steps)


def test_min_reduce_takes_each_individuals_worst_shifted_episode():
    config = EvalConfig(n_episodes=3, reward_shift=1.0, episode_reduce="min")
    returns = jnp.array([10.0, 4.0, 7.0, 1.0, 2.0, 3.0])
    lengths = jnp.array([5.0, 1.0, 2.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(config.fitness(returns, lengths), [3.0, 1.0])


@pytest.mark.parametrize("host", [False, True])
def test_min_reduce_scores_the_worst_episode_end_to_end(key, host):
    """Random CartPole policies last different lengths from different starts: the worst
    of four episodes is below their mean for some individual and above it for none."""
    env = make_env(("gymnasium:" if host else "gymnax:") + "CartPole-v1", max_steps=80)
    net = MLP((4, 4, 2))
    pop = _population(net, 8, seed=3)

    def evaluate(reduce):
        config = EvalConfig(n_episodes=4, episode_reduce=reduce)
        if host:
            return HostEvaluator(env, net, config)(key, pop, init_norm(4))
        return jax.jit(make_evaluator(env, net, config))(key, pop, init_norm(4))

    mean, worst = evaluate("mean"), evaluate("min")
    assert np.all(np.asarray(worst.fitness) <= np.asarray(mean.fitness))
    assert np.any(np.asarray(worst.fitness) < np.asarray(mean.fitness))
    assert float(worst.fitness.min()) >= 1
    assert int(worst.env_steps) == int(mean.env_steps)


def test_unknown_episode_reduce_is_refused():
    with pytest.raises(ValueError, match="episode_reduce must be one of 'mean', 'min'"):
        EvalConfig(episode_reduce="median")


def test_reward_shift_is_refused_where_it_means_nothing():
    with pytest.raises(ValueError, match="reward_shift must be a finite number"):
        EvalConfig(reward_shift=float("nan"))
    with pytest.raises(ValueError, match="no meaning for the function-fitting"):
        make_evaluator(make_env("xor"), MLP((2, 1)), EvalConfig(reward_shift=1.0))


def test_function_fit_evaluator(key):
    env = make_env("xor")
    net = MLP((2, 1))
    res = make_evaluator(env, net, EvalConfig())(key, jnp.zeros((5, net.num_params)), None)
    np.testing.assert_allclose(res.fitness, -0.5)
    assert int(res.env_steps) == 20


def test_pop_batch_size_must_divide():
    with pytest.raises(ValueError, match="does not divide pop_size=10; use a divisor"):
        EvalConfig(pop_batch_size=4).check_pop_size(10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_episodes": 0}, "n_episodes"),
        ({"max_steps": 0}, "max_(episode_)?steps must be an integer from 1"),
        ({"pop_batch_size": 0}, "pop_batch_size"),
    ],
)
def test_bad_eval_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EvalConfig(**kwargs)


def test_host_evaluator_is_deterministic_and_chunks(key):
    env = make_env("gymnasium:CartPole-v1", max_steps=50)
    net = MLP((4, 4, 2))
    pop = _population(net, 6)
    whole = HostEvaluator(env, net, EvalConfig(n_episodes=2, obs_normalization=True))
    res = whole(key, pop, init_norm(4))
    again = whole(key, pop, init_norm(4))
    chunked = HostEvaluator(
        env, net, EvalConfig(n_episodes=2, pop_batch_size=3, obs_normalization=True)
    )(key, pop, init_norm(4))
    np.testing.assert_array_equal(res.fitness, again.fitness)
    np.testing.assert_array_equal(res.fitness, chunked.fitness)
    assert int(res.env_steps) == int(chunked.env_steps)
    assert float(res.obs_stats.count) == int(res.env_steps)
    assert float(res.fitness.max()) <= 50.0
    whole.close()
