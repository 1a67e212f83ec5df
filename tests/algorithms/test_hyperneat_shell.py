"""HyperNEAT on the NEAT-family shell: learn, predict, save/load, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import NEAT, HyperNEAT
from evotrain.algorithms.genome_family import GenomeFamily
from evotrain.hyperneat import MLPSubstrate, Substrate, SubstrateNetwork

SMALL = {"pop_size": 16, "seed": 0, "max_episode_steps": 50}


@pytest.fixture(scope="module")
def trained():
    return HyperNEAT("FeedForward", "gymnax:CartPole-v1", **SMALL).learn(2)


def test_it_is_a_neat_family_sibling_with_cppn_genomes(trained):
    assert isinstance(trained, GenomeFamily) and not isinstance(trained, NEAT)
    assert isinstance(trained.policy, SubstrateNetwork)
    cppn = trained.policy.genome_config
    assert cppn.num_inputs == 5 and cppn.num_outputs == 1  # x1, y1, x2, y2, distance
    assert "sin" in cppn.activation_options and "gauss" in cppn.activation_options
    assert trained.search_params.activation_replace_rate == 0.1
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
        HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate=[[0.0, 1.0]], pop_size=4)
    with pytest.raises(ValueError, match="weight_threshold"):
        HyperNEAT("FeedForward", "xor", weight_threshold=1.5, pop_size=4)
    with pytest.raises(TypeError, match="did you mean 'hidden_layers'"):
        HyperNEAT("FeedForward", "xor", hiden_layers=(3,), pop_size=4)


def test_hidden_rows_come_from_hidden_layers():
    model = HyperNEAT("FeedForward", "xor", hidden_layers=(4,), pop_size=4)
    assert isinstance(model.policy.substrate, Substrate)
    assert [r.shape[0] for r in model.policy.substrate.layers] == [2, 4, 1]


def test_recurrent_substrate_predict_carries_memory_and_resumes_bit_exactly(tmp_path):
    kwargs = {"pop_size": 8, "seed": 3, "max_episode_steps": 20, "hidden_layers": (3,)}
    model = HyperNEAT("Recurrent", "gymnax:CartPole-v1", **kwargs)
    assert model.policy.recurrent and model.policy.num_hidden == 3
    model.learn(1)
    obs = np.random.default_rng(1).normal(size=(2, 4)).astype(np.float32)
    _, state = model.predict(obs)
    assert state is not None
    path = model.save(tmp_path / "rec")
    model.learn(1, reset_num_generations=False)
    resumed = HyperNEAT.load(path).learn(1, reset_num_generations=False)
    assert resumed.history[-1]["fitness_max"] == model.history[-1]["fitness_max"]
    np.testing.assert_array_equal(
        np.asarray(resumed.train_state.best_params.conns),
        np.asarray(model.train_state.best_params.conns),
    )


def test_a_custom_substrate_is_saved_with_the_model(tmp_path):
    substrate = Substrate(
        inputs=[(x, -1.0) for x in (-1.5, -0.5, 0.5, 1.5)],
        outputs=[(-0.5, 1.0), (0.5, 1.0)],
        hidden=([(0.0, 0.0)],),
    )
    model = HyperNEAT(
        "FeedForward",
        "gymnax:CartPole-v1",
        substrate=substrate,
        bias_output=True,
        leo=True,
        pop_size=4,
        max_episode_steps=10,
    )
    assert model.policy.genome_config.num_outputs == 3  # weight, bias, LEO
    loaded = HyperNEAT.load(model.save(tmp_path / "custom"))  # no substrate needed again
    np.testing.assert_array_equal(loaded.policy.substrate.hidden[0], [[0.0, 0.0]])
    np.testing.assert_array_equal(loaded.policy.substrate.inputs, substrate.inputs)
    assert loaded.policy.cppn_config == model.policy.cppn_config
    with pytest.raises(ValueError, match="'inputs' and 'outputs'"):
        HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate={"inputs": [[0.0, 0.0]]})
    with pytest.raises(ValueError, match="not known"):
        HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate="grid")


def test_body_substrate_needs_a_mapped_brax_env_and_fails_before_compiling():
    with pytest.raises(ValueError, match="swimmer") as err:
        HyperNEAT("FeedForward", "gymnax:CartPole-v1", substrate="body", pop_size=4)
    assert "substrate=None" in str(err.value)


def test_the_best_substrate_exports_runs_with_numpy_and_draws(trained, tmp_path):
    from evotrain.networks.numpy_network import NumpyNetwork

    substrate = trained.best_substrate
    assert substrate["kind"] == "hyperneat-substrate" and len(substrate["positions"]) == 6
    obs = np.array([0.1, -0.2, 0.05, 0.3], np.float32)
    raw = trained.policy.apply(trained.policy_params, obs)  # the CPPN predict acts with
    np.testing.assert_allclose(NumpyNetwork(substrate).activate(obs), raw, rtol=1e-5, atol=1e-6)
    trained.export_substrate(tmp_path / "substrate.json")
    with pytest.raises(FileExistsError):
        trained.export_substrate(tmp_path / "substrate.json")
    np.testing.assert_allclose(
        NumpyNetwork.from_json(tmp_path / "substrate.json").activate(obs), raw, rtol=1e-5, atol=1e-6
    )
    assert trained.plot_substrate(tmp_path / "substrate.svg").stat().st_size > 0
    assert trained.plot_network(tmp_path / "cppn.svg").stat().st_size > 0


def test_bad_input_is_refused_before_anything_is_compiled(monkeypatch):
    import evotrain.algorithms.base as base

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled before the input was checked")

    monkeypatch.setattr(base, "jit_program", no_compile)
    env = "gymnax:CartPole-v1"
    bad = [
        ({"substrate": MLPSubstrate(3, 2)}, "needs 4 inputs"),  # sizes do not match the env
        ({"substrate": {"inputs": [0.0, 1.0], "outputs": [[0.0, 1.0]]}}, r"shape \(n, dim\)"),
        ({"substrate": {"inputs": [[0.0, 1.0]] * 4, "outputs": [[0.0, 1.0, 2.0]] * 2}}, "every"),
        ({"substrate": "body"}, "no mapping|not a Brax env"),
        ({"weight_threshold": -0.1}, "weight_threshold"),
        ({"max_weight": 0.0}, "max_weight"),
        ({"hidden_activation": "nope"}, "nope"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValueError, match=message):
            HyperNEAT("FeedForward", env, pop_size=4, **kwargs)


def test_eval_callback_csv_logging_and_evaluate_policy_work_as_for_neat(tmp_path):
    from evotrain import evaluate_policy
    from evotrain.callbacks import EvalCallback
    from evotrain.logging import configure

    model = HyperNEAT("FeedForward", "gymnax:CartPole-v1", **SMALL)
    model.set_logger(configure(str(tmp_path / "log"), ["csv"]))
    callback = EvalCallback(
        "gymnax:CartPole-v1",
        eval_freq=1,
        n_eval_episodes=2,
        best_model_save_path=str(tmp_path / "best"),
    )
    model.learn(2, callback=callback)
    assert np.isfinite(callback.best_mean_reward)
    best = HyperNEAT.load(tmp_path / "best" / "best_model")
    mean, _ = evaluate_policy(best, "gymnax:CartPole-v1", n_eval_episodes=2)
    assert mean > 0
    header = (tmp_path / "log" / "progress.csv").read_text().splitlines()[0].split(",")
    assert "eval/mean_reward" in header and "train/species" in header
