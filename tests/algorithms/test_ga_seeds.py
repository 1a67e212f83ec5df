"""``GA(encoding="seeds")`` under the shell: learns, acts, saves small, refuses bad input."""

from __future__ import annotations

import os

import numpy as np
import pytest

from evotrain import GA
from evotrain.strategies import SeedChain

SMALL = {"pop_size": 16, "max_episode_steps": 60, "policy_kwargs": {"net_arch": [8]}}


def _folder_bytes(path):
    return sum(
        os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files
    )


def test_seed_ga_learns_xor_and_predicts():
    model = GA(
        "MlpPolicy",
        "xor",
        encoding="seeds",
        pop_size=64,
        mutation_sigma=0.2,
        init_sigma=0.5,
        policy_kwargs={"net_arch": [4]},
        seed=0,
    )
    model.learn(30)
    history = [h["fitness_max"] for h in model.history]
    assert history[-1] > history[0]
    assert model.settings.chosen_selection() == "truncation"
    assert model.ga_params.crossover_rate == 0.0
    assert isinstance(model.policy_params, SeedChain)
    assert int(model.policy_params.length) <= 30
    outputs, _ = model.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32))
    assert outputs.shape == (4, 1) and np.isfinite(outputs).all()
    assert 1 < model.history[-1]["strategy/chain_length"] <= 30  # elites keep their chains


def test_seed_ga_saves_are_small_next_to_float_ga(tmp_path):
    kwargs = {**SMALL, "policy_kwargs": {"net_arch": [256, 256]}, "seed": 1}
    floats = GA("MlpPolicy", "gymnax:CartPole-v1", **kwargs).learn(1)
    seeds = GA(
        "MlpPolicy", "gymnax:CartPole-v1", encoding="seeds", max_generations=50, **kwargs
    ).learn(1)
    assert floats.policy.num_params == seeds.policy.num_params > 60_000
    float_bytes = _folder_bytes(floats.save(tmp_path / "float"))
    seed_bytes = _folder_bytes(seeds.save(tmp_path / "seeds"))
    assert seed_bytes * 20 < float_bytes  # 16 x 67k float32 against 16 x 50 uint32
    loaded = GA.load(tmp_path / "seeds")
    obs = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(obs)[0], seeds.predict(obs)[0])


def test_seed_ga_refuses_bad_input_clearly():
    with pytest.raises(ValueError, match="Unknown encoding 'bits'"):
        GA("MlpPolicy", "xor", encoding="bits")
    with pytest.raises(ValueError, match="crossover_rate=0.5 does not work with encoding='seeds'"):
        GA("MlpPolicy", "xor", encoding="seeds", crossover_rate=0.5)
    with pytest.raises(ValueError, match="max_generations must be an integer from 1 to"):
        GA("MlpPolicy", "xor", encoding="seeds", max_generations=0)
    model = GA("MlpPolicy", "xor", encoding="seeds", pop_size=8, max_generations=3, seed=0)
    model.learn(2)
    with pytest.raises(
        ValueError,
        match=r"generation 4, past its max_generations=3 \(it has "
        r"run 2\).*max_generations=6",
    ):
        model.learn(2)
    model.learn(1)  # exactly at capacity is fine
    assert int(model.train_state.generation) == 3
