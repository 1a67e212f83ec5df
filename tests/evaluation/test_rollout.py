import jax
import jax.numpy as jnp
import numpy as np

from evotrain.evaluation import init_norm, rollout_batch
from tests.helpers import CountdownEnv


class _Net:
    """A network whose outputs pick ``forward_fn(params, obs)`` out of 2 actions."""

    def __init__(self, forward_fn):
        self.prepare = lambda params: params
        self.initial_carry = lambda plan: ()
        self.step = lambda plan, carry, obs: (forward_fn(plan, obs), carry)
        self.apply = forward_fn


def _always(_):
    # The parameter is the action to take.
    return _Net(lambda params, obs: jax.nn.one_hot(params, 2))


def test_return_stops_at_first_done_and_counts_steps(key):
    env = CountdownEnv(max_steps=10)
    params = jnp.array([0, 1, 0])  # continue, stop at once, continue
    keys = jax.random.split(key, 3)
    res = jax.jit(lambda p, k: rollout_batch(env, _always(None), p, k, 10, None, False))(
        params, keys
    )
    np.testing.assert_array_equal(res.lengths, [10, 1, 10])
    np.testing.assert_array_equal(res.returns, [10.0, 1.0, 10.0])


def test_policy_that_stops_later_has_masked_rewards(key):
    env = CountdownEnv(max_steps=10)

    def stop_at_three(params, obs):
        return jax.nn.one_hot((obs[0] >= 2).astype(jnp.int32), 2)

    res = rollout_batch(
        env, _Net(stop_at_three), jnp.zeros((2,)), jax.random.split(key, 2), 10, None, False
    )
    np.testing.assert_array_equal(res.lengths, [3, 3])
    np.testing.assert_array_equal(res.returns, [3.0, 3.0])


def test_obs_stats_cover_only_steps_taken(key):
    env = CountdownEnv(max_steps=5)
    res = rollout_batch(
        env, _always(None), jnp.array([1, 0]), jax.random.split(key, 2), 5, init_norm(1), True
    )
    # lane 0 saw obs [0]; lane 1 saw obs [0, 1, 2, 3, 4]
    assert float(res.obs_stats.count) == 6
    assert float(res.obs_stats.sum[0]) == 10.0
    assert float(res.obs_stats.sumsq[0]) == 30.0


def test_nan_reward_gives_nonfinite_return(key):
    env = CountdownEnv(max_steps=4, poison=True)
    res = rollout_batch(
        env, _always(None), jnp.array([0, 1]), jax.random.split(key, 2), 4, None, False
    )
    assert float(res.returns[0]) == 4.0
    assert np.isnan(float(res.returns[1]))
