import numpy as np
import pytest

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


def test_gymnasium_mujoco_envs_work_out_of_the_box():
    env = make_env("gymnasium:Hopper-v5")
    assert env.spec.obs_size == 11 and env.spec.num_outputs == 3 and env.spec.max_steps == 1000
    one = env.make_single()
    obs, _ = one.reset(seed=0)
    assert obs.shape == (11,)
    one.close()


def test_a_missing_package_names_the_pip_command(monkeypatch):
    import gymnasium

    from evotrain.envs.gymnasium import MissingDependencyError

    def missing(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'imageio'", name="imageio")

    monkeypatch.setattr(gymnasium, "make", missing)
    with pytest.raises(MissingDependencyError) as info:
        make_env("gymnasium:Hopper-v5")
    text = str(info.value)
    assert "'Hopper-v5' needs the package 'imageio'" in text
    assert 'pip install "gymnasium[mujoco]"' in text
    with pytest.raises(ModuleNotFoundError, match="pip install"):  # still an import error
        make_env("gymnasium:CartPole-v1")


def test_a_user_env_registered_in_this_process_is_rebuilt_elsewhere():
    import gymnasium

    from tests.evaluation import flaky_envs

    flaky_envs.register()
    env = make_env(f"gymnasium:{flaky_envs.ENV_ID}", max_steps=77, marker=None)
    recipe = env.recipe()
    spec = gymnasium.registry.pop(flaky_envs.ENV_ID)  # as in a fresh worker process
    try:
        rebuilt = recipe()
        assert rebuilt.spec == env.spec and rebuilt.make_kwargs == {"marker": None}
    finally:
        gymnasium.registry[flaky_envs.ENV_ID] = spec
