import pytest

from evotrain.envs import Box, make_env
from evotrain.envs.brax import registered_ids


def test_brax_spec_and_options():
    env = make_env("brax:hopper", backend="spring", episode_length=200)
    assert env.spec.obs_size == 11
    assert env.spec.action == Box((-1.0,) * 3, (1.0,) * 3)
    assert env.spec.max_steps == 200
    assert env.backend == "spring"


def test_registry_lists_brax_envs():
    names = registered_ids()
    assert {"hopper", "halfcheetah", "inverted_pendulum", "swimmer", "reacher"} <= set(names)


@pytest.mark.parametrize(("name", "obs", "act"), [("inverted_pendulum", 4, 1), ("reacher", 11, 2)])
def test_brax_envs_adapt(name, obs, act):
    spec = make_env(f"brax:{name}").spec
    assert (spec.obs_size, spec.num_outputs, spec.max_steps) == (obs, act, 1000)


def test_bad_episode_length():
    with pytest.raises(ValueError, match="episode_length must be an integer from 1 to"):
        make_env("brax:hopper", episode_length=0)
