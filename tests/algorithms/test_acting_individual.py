"""One acting individual: ``predict``, the exported genome (JSON, NumPy), the generated
Python, the drawings' genome and HyperNEAT's substrate are all the last generation's fittest
individual (``policy_params``), whatever the best individual ever seen is; that one is
``best_ever_genome`` / ``best_ever_params``."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from evotrain import NEAT, HyperNEAT
from evotrain.networks.numpy_network import NumpyNetwork


def _with_another_best_ever(model):
    """Makes the best-ever genome a different individual of the population, so that a
    method reading it instead of the acting one is caught."""
    state = model.train_state.strategy_state
    acting = int(np.argmax(np.asarray(state.fitness)))
    other = (acting + 1) % model.pop_size
    genome = jax.tree_util.tree_map(lambda x: x[other], state.population)
    model.train_state = model.train_state.replace(best_params=genome)
    return model


@pytest.fixture(scope="module")
def xor():
    model = NEAT("FeedForward", "xor", pop_size=40, max_nodes=10, max_conns=20, seed=2)
    return _with_another_best_ever(model.learn(3))


@pytest.fixture(scope="module")
def cartpole():
    model = NEAT("FeedForward", "gymnax:CartPole-v1", pop_size=16, max_episode_steps=30, seed=1)
    return _with_another_best_ever(model.learn(2))


def test_the_exported_network_and_predict_agree_on_random_observations(xor, tmp_path):
    obs = np.random.default_rng(0).uniform(-2, 2, size=(64, 2)).astype(np.float32)
    outputs, _ = xor.predict(obs)  # function fitting: the network's raw outputs
    xor.export_genome(tmp_path / "genome.json")
    exported = NumpyNetwork.from_json(tmp_path / "genome.json")
    ns: dict = {}
    exec(xor.to_python(), ns)
    for x, y in zip(obs, outputs, strict=True):
        np.testing.assert_allclose(exported.activate(x), y, rtol=2e-4, atol=2e-5)
        np.testing.assert_allclose(ns["forward"](list(map(float, x))), y, rtol=2e-4, atol=2e-5)
    assert xor.best_genome["fitness"] == pytest.approx(xor.acting_fitness)


def test_the_best_ever_genome_is_the_other_one_and_exports_on_request(xor, tmp_path):
    assert xor.best_ever_genome != xor.best_genome
    xor.export_genome(tmp_path / "best_ever.json", best_ever=True)
    best_ever = NumpyNetwork.from_json(tmp_path / "best_ever.json")
    x = np.array([0.3, -0.7], np.float32)
    expected = np.asarray(xor.policy.apply(xor.best_ever_params, x))
    np.testing.assert_allclose(best_ever.activate(x), expected, rtol=2e-4, atol=2e-5)


def test_discrete_actions_are_the_argmax_of_the_exported_network(cartpole):
    obs = np.random.default_rng(1).normal(size=(64, 4)).astype(np.float32)
    actions, _ = cartpole.predict(obs)
    exported = NumpyNetwork(cartpole.best_genome)
    np.testing.assert_array_equal([np.argmax(exported.activate(x)) for x in obs], actions)


def test_hyperneat_acts_with_the_substrate_it_exports():
    model = HyperNEAT(
        "FeedForward", "gymnax:CartPole-v1", pop_size=16, seed=0, max_episode_steps=30
    ).learn(2)
    model = _with_another_best_ever(model)
    obs = np.random.default_rng(2).normal(size=(64, 4)).astype(np.float32)
    actions, _ = model.predict(obs)
    substrate = NumpyNetwork(model.best_substrate)
    np.testing.assert_array_equal([np.argmax(substrate.activate(x)) for x in obs], actions)
    assert model.best_ever_substrate != model.best_substrate


def test_the_acting_individual_is_picked_once_per_state_and_follows_training():
    """``predict`` called step by step reuses one pick of the acting individual; a new
    generation (or any new train state) picks again."""
    model = NEAT("FeedForward", "xor", pop_size=12, max_nodes=8, max_conns=12, seed=5)
    picked = model.policy_params
    assert model.policy_params is picked
    model.learn(1)
    fresh = model.strategy.policy_params(model.train_state.strategy_state)
    assert model.policy_params is not picked
    for a, b in zip(
        jax.tree_util.tree_leaves(model.policy_params), jax.tree_util.tree_leaves(fresh)
    ):
        np.testing.assert_array_equal(a, b)
    x = np.array([[1.0, 0.0]], np.float32)
    before, _ = model.predict(x)
    state = model.train_state.strategy_state
    model.train_state = model.train_state.replace(
        strategy_state=state.replace(fitness=-state.fitness)  # another individual is fittest
    )
    after_pick = model.strategy.policy_params(model.train_state.strategy_state)
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(jax.tree_util.tree_leaves(after_pick), jax.tree_util.tree_leaves(fresh))
    )
    expected = np.asarray(model.policy.apply(after_pick, x[0]))
    np.testing.assert_allclose(model.predict(x)[0][0], expected, rtol=2e-4, atol=2e-5)
    assert before.shape == (1, 1) and model.policy_params is model.policy_params
