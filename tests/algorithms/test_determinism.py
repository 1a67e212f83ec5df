import numpy as np
import pytest

from evotrain import GA, OpenES

SMALL = {
    "pop_size": 8,
    "policy_kwargs": {"net_arch": [4]},
    "max_episode_steps": 40,
    "obs_normalization": True,
    "n_episodes": 2,
}


@pytest.mark.parametrize("algo", [OpenES, GA])
def test_same_seed_gives_identical_history_and_parameters(algo):
    runs = [algo("MlpPolicy", "gymnax:CartPole-v1", seed=7, **SMALL).learn(3) for _ in range(2)]
    a, b = runs
    for ha, hb in zip(a.history, b.history):
        np.testing.assert_array_equal(ha["fitness"], hb["fitness"])
        assert ha["env_steps"] == hb["env_steps"]
    np.testing.assert_array_equal(np.asarray(a.policy_params), np.asarray(b.policy_params))
    np.testing.assert_array_equal(
        np.asarray(a.train_state.obs_norm.mean), np.asarray(b.train_state.obs_norm.mean)
    )
    other = algo("MlpPolicy", "gymnax:CartPole-v1", seed=8, **SMALL).learn(3)
    assert not np.array_equal(other.history[-1]["fitness"], a.history[-1]["fitness"])
