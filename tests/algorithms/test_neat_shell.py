import warnings

import numpy as np
import pytest

from evotrain import NEAT
from evotrain.envs import ActionRangeWarning

SMALL = {"pop_size": 8, "max_nodes": 8, "max_conns": 16, "max_species": 3}


def test_neat_learns_a_few_generations_and_reports_structure():
    model = NEAT("FeedForward", "xor", seed=0, **SMALL)
    model.learn(3)
    info = model.history[-1]
    for key in (
        "strategy/species",
        "strategy/nodes_mean",
        "strategy/conns_mean",
        "strategy/best_nodes",
        "strategy/best_conns",
    ):
        assert key in info
    assert 1 <= info["strategy/species"] <= 3
    out, state = model.predict(np.array([[0.0, 1.0]]))
    assert out.shape == (1, 1) and state is None


def test_neat_is_deterministic():
    a = NEAT("FeedForward", "gymnax:CartPole-v1", seed=3, max_episode_steps=30, **SMALL).learn(3)
    b = NEAT("FeedForward", "gymnax:CartPole-v1", seed=3, max_episode_steps=30, **SMALL).learn(3)
    for ha, hb in zip(a.history, b.history):
        np.testing.assert_array_equal(ha["fitness"], hb["fitness"])
    np.testing.assert_array_equal(
        np.asarray(a.policy_params.conns), np.asarray(b.policy_params.conns)
    )


def test_presets_and_overrides():
    model = NEAT("FeedForward", "xor", preset="tensorneat", conn_add=0.1, seed=0, pop_size=8)
    assert model.search_params.conn_add == 0.1
    assert model.search_params.compatibility_threshold == 3.5
    assert model.policy.config.max_nodes == 50
    with pytest.raises(ValueError, match="Unknown NEAT preset 'nope'"):
        NEAT("FeedForward", "xor", preset="nope")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_conns": 3}, r"max_conns=3 is smaller than the initial connections"),
        ({"max_nodes": 2}, r"max_nodes=2 is smaller than inputs \+ outputs = 6"),
        ({"activation_options": ["tanh", "nope"]}, "Unknown activation 'nope'"),
        ({"node_add": 1.2}, "node_add must be a probability"),
        ({"survival_threshold": 0.0}, "survival_threshold"),
        ({"allocation": "lottery"}, "Unknown allocation 'lottery'"),
        ({"activate_time": 0}, "activate_time"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NEAT("FeedForward", "gymnax:CartPole-v1", **kwargs)


def test_unknown_policy():
    with pytest.raises(ValueError, match="Unknown policy 'MlpPolicy' for NEAT.*FeedForward"):
        NEAT("MlpPolicy", "xor")


def test_bounded_outputs_on_a_bounded_box_warn_once_chosen_not_when_loaded(tmp_path):
    env = "gymnax:Pendulum-v1"  # torque in [-2, 2]: actions are squashed with tanh
    with pytest.warns(ActionRangeWarning, match="output_activation='identity'") as record:
        model = NEAT("FeedForward", env, seed=0, max_episode_steps=5, **SMALL)
    assert record[0].filename == __file__  # points at the caller's line
    with pytest.warns(ActionRangeWarning, match="'sigmoid' \\(output_activation\\)"):
        NEAT("FeedForward", env, output_activation="sigmoid", **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ActionRangeWarning)
        NEAT("FeedForward", env, output_activation="identity", **SMALL)
        NEAT("FeedForward", env, activation_options=["relu"], activation_default="relu", **SMALL)
        NEAT("FeedForward", "gymnax:CartPole-v1", **SMALL)  # discrete: argmax
        NEAT("FeedForward", "xor", **SMALL)  # function fitting: raw outputs
        path = model.learn(1).save(tmp_path / "m")
        NEAT.load(path)  # the saved settings are not the user's choice now


def test_every_keyword_shows_in_the_signature_and_misspellings_are_refused():
    import dataclasses
    import inspect

    from evotrain.neat.genome import GenomeConfig
    from evotrain.neat.params import NEATParams

    params = inspect.signature(NEAT).parameters
    expected = {f.name for f in dataclasses.fields(NEATParams)}
    expected |= {f.name for f in dataclasses.fields(GenomeConfig)} - {
        "num_inputs",
        "num_outputs",
        "feedforward",
    }
    expected |= {"pop_size", "max_species", "allocation", "activate_time", "preset"}
    expected |= {"n_episodes", "obs_normalization", "seed", "verbose", "env_kwargs"}
    assert expected <= set(params)
    assert params["pop_size"].default == 150 and params["node_add"].default == 0.2
    with pytest.raises(TypeError, match="did you mean 'node_add'"):
        NEAT("FeedForward", "xor", nod_add=0.1)


def test_explicit_keywords_override_the_preset():
    from evotrain.neat.presets import get_preset

    model = NEAT("FeedForward", "xor", preset="xor", pop_size=8, node_add=0.05, seed=0)
    assert model.search_params.node_add == 0.05
    preset = get_preset("xor")
    assert model.search_params.compatibility_threshold == preset["compatibility_threshold"]
    assert model.policy.config.activation_default == preset["activation_default"]


@pytest.mark.parametrize(
    ("targets", "expected"),
    [([0.0, 1.0, 1.0, 0.0], "scaled_sigmoid"), ([-1.0, 0.5], "tanh"), ([0.0, 3.0], "identity")],
)
def test_auto_outputs_cover_the_targets_of_function_fitting(targets, expected):
    from evotrain.envs import FunctionFit

    targets = np.asarray(targets)
    problem = FunctionFit(np.arange(len(targets), dtype=float), targets)
    model = NEAT("FeedForward", problem, seed=0, **SMALL)
    assert model.policy.config.output_activation == expected
    explicit = NEAT("FeedForward", problem, output_activation=None, seed=0, **SMALL)
    assert explicit.policy.config.output_activation is None  # like the hidden nodes
    acting = NEAT("FeedForward", "gymnax:CartPole-v1", seed=0, **SMALL)
    assert acting.policy.config.output_activation is None


def test_saves_record_every_setting_and_old_saves_keep_the_old_defaults(tmp_path):
    import json
    from pathlib import Path

    model = NEAT("FeedForward", "xor", seed=0, **SMALL).learn(1)
    path = model.save(tmp_path / "new")
    meta = json.loads((Path(path) / "evotrain.json").read_text())
    assert meta["kwargs"]["output_activation"] == "scaled_sigmoid"  # "auto", resolved
    assert meta["kwargs"]["compatibility_threshold"] == 2.5
    assert set(NEAT.settings_type.names()) == meta["kwargs"].keys()
    # A save from evotrain 0.1 recorded only the keywords given; its defaults were
    # compatibility threshold 3.5 and output nodes like the hidden ones.
    assert NEAT.upgrade_saved_kwargs({"pop_size": 8}) == {
        "compatibility_threshold": 3.5,
        "output_activation": None,
        "pop_size": 8,
    }
    old_xor = NEAT.upgrade_saved_kwargs({"preset": "xor", "pop_size": 8})
    assert "preset" not in old_xor and old_xor["pop_size"] == 8  # the 0.1 preset, spelt out
    assert old_xor["compatibility_threshold"] == 2.0 and old_xor["node_add"] == 0.3
    assert old_xor["activation_default"] == "scaled_sigmoid"
    assert old_xor["output_activation"] is None
    assert NEAT.upgrade_saved_kwargs(meta["kwargs"]) == meta["kwargs"]


def test_a_zoo_agent_saved_by_evotrain_0_1_loads_with_the_settings_it_was_trained_with():
    from evotrain import zoo

    model = zoo.load("neat-gymnax-CartPole-v1")
    assert model.search_params.compatibility_threshold == 3.5  # the 0.1 default
    assert model.policy.config.output_activation is None
