import jax
import jax.numpy as jnp
import pytest

from evotrain.envs import Box, Discrete, make_env

CLASSIC = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"]


@pytest.mark.parametrize("env_id", CLASSIC)
def test_classic_control_specs_and_steps(env_id, key):
    env = make_env(f"gymnax:{env_id}")
    spec = env.spec
    assert spec.obs_size > 0 and spec.max_steps > 0
    state = jax.jit(env.reset)(key)
    assert state.obs.shape == (spec.obs_size,) and not bool(state.done)
    if isinstance(spec.action, Discrete):
        action = jnp.asarray(0, jnp.int32)
    else:
        assert isinstance(spec.action, Box)
        action = jnp.zeros((spec.action.num_outputs,), jnp.float32)
    nxt = jax.jit(env.step)(key, state, action)
    assert nxt.obs.shape == (spec.obs_size,)
    assert nxt.reward.shape == () and nxt.done.dtype == jnp.bool_


def test_max_steps_override():
    assert make_env("gymnax:CartPole-v1", max_steps=50).spec.max_steps == 50


def test_every_registered_id_adapts():
    from evotrain.envs.gymnax import registered_ids

    for env_id in registered_ids():
        if env_id == "MNISTBandit-bsuite":
            continue  # downloads MNIST on creation
        spec = make_env(f"gymnax:{env_id}").spec
        assert spec.obs_size >= 1 and spec.num_outputs >= 1, env_id
