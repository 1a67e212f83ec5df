"""HyperNEAT on the NEAT-family shell: learn, predict, save/load, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import NEAT, HyperNEAT
from evotrain.algorithms.neat_family import NEATFamily
from evotrain.hyperneat import MLPSubstrate, Substrate, SubstrateNetwork

SMALL = {"pop_size": 16, "seed": 0, "max_episode_steps": 50}


@pytest.fixture(scope="module")
def trained():
    return HyperNEAT("FeedForward", "gymnax:CartPole-v1", **SMALL).learn(2)


def test_it_is_a_neat_family_sibling_with_cppn_genomes(trained):
    assert isinstance(trained, NEATFamily) and not isinstance(trained, NEAT)
    assert isinstance(trained.policy, SubstrateNetwork)
    cppn = trained.policy.genome_config
    assert cppn.num_inputs == 5 and cppn.num_outputs == 1  # x1, y1, x2, y2, distance
    assert "sin" in cppn.activation_options and "gauss" in cppn.activation_options
    assert trained.neat_params.activation_replace_rate == 0.1
    assert trained.num_generations == 2 and len(trained.history) == 2
    assert "strategy/species" in trained.history[-1]
    assert trained.best_genome["feedforward"]  # the best CPPN, exported like a NEAT genome


def test_predict_and_save_load_give_the_same_actions(trained, tmp_path):
    obs = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    actions, state = trained.predict(obs)
    assert actions.shape == (6,) and state is None
    loaded = HyperNEAT.load(trained.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.predict(obs)[0], actions)
    assert loaded.policy.substrate.num_connections == trained.policy.substrate.num_connections


def test_a_given_substrate_is_used_and_checked_against_the_env():
    substrate = MLPSubstrate(4, 2, hidden_layers=(3,))
    model = HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate=substrate, pop_size=4)
    assert model.policy.substrate is substrate
    with pytest.raises(ValueError, match="needs 4 inputs"):
        HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate=MLPSubstrate(3, 2), pop_size=4)
    with pytest.raises(ValueError, match="must be a Substrate"):
        HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate="body", pop_size=4)
    with pytest.raises(ValueError, match="weight_threshold"):
        HyperNEAT("FeedForward", "xor", weight_threshold=1.5, pop_size=4)
    with pytest.raises(TypeError, match="did you mean 'hidden_layers'"):
        HyperNEAT("FeedForward", "xor", hiden_layers=(3,), pop_size=4)


def test_hidden_rows_come_from_hidden_layers():
    model = HyperNEAT("FeedForward", "xor", hidden_layers=(4,), pop_size=4)
    assert isinstance(model.policy.substrate, Substrate)
    assert [r.shape[0] for r in model.policy.substrate.layers] == [2, 4, 1]
