import numpy as np

from evotrain.envs import Discrete, make_env


def test_cartpole_spec_and_vector():
    env = make_env("gymnasium:CartPole-v1")
    assert env.spec.obs_size == 4 and env.spec.action == Discrete(2)
    assert env.spec.max_steps == 500
    vec = env.make_vector(3)
    obs, _ = vec.reset(seed=[0, 1, 2])
    assert env.flatten_obs(obs).shape == (3, 4)
    vec.close()


def test_discrete_observations_are_one_hot():
    env = make_env("gymnasium:FrozenLake-v1")
    assert env.spec.obs_size == 16
    flat = env.flatten_obs(np.array([0, 5]))
    assert flat.shape == (2, 16) and flat[1, 5] == 1.0 and flat.sum() == 2.0


def test_box_actions_keep_bounds():
    env = make_env("gymnasium:Pendulum-v1")
    assert env.spec.action.low == (-2.0,) and env.spec.action.high == (2.0,)
