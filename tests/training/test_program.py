"""The one generation program: the generation step jitted, split over the model's devices,
compiled once per capacity level and memory-checked, giving what the bare step gives."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest

from evotrain import NEAT, OpenES
from evotrain.evaluation import make_evaluator
from evotrain.training import make_generation_step
from evotrain.training.program import make_program
from tests.strategies.conftest import assert_trees_equal


def test_the_program_runs_the_generation_step_compiled_once():
    model = OpenES(
        "MlpPolicy",
        "gymnax:CartPole-v1",
        pop_size=8,
        policy_kwargs={"net_arch": [4]},
        max_episode_steps=40,
        seed=3,
    )
    recipe = model._recipe()
    program = make_program(recipe)
    ts = model.train_state
    bare = make_generation_step(
        recipe.strategy,
        recipe.params,
        make_evaluator(recipe.env, recipe.network, recipe.eval_config),
    )
    want, want_metrics = jax.jit(bare)(ts)
    got, metrics = program(ts)
    assert_trees_equal(got, want)
    np.testing.assert_array_equal(metrics["fitness"], want_metrics["fitness"])
    assert program.compiled(ts) is program.compiled(got)  # one level: one compile
    assert program.levels == () and program.level(ts) == 0


def test_genomes_run_at_their_capacity_level_and_host_envs_get_no_program():
    model = NEAT("FeedForward", "xor", pop_size=8, max_nodes=40, max_conns=80, seed=1)
    program = make_program(model._recipe())
    assert program.levels[-1] == (40, 80) and len(program.levels) > 1
    ts = model.train_state
    assert program.level(ts) == 0
    # The smallest level's program takes and gives full-capacity states.
    out = jax.eval_shape(program.jitted(0), ts, jax.numpy.int32(1))[0]
    assert out.strategy_state.population.nodes.shape == (8, 40, 5)
    host = OpenES("MlpPolicy", "gymnasium:CartPole-v1", pop_size=4)
    recipe = dataclasses.replace(model._recipe(), env=host.env)
    with pytest.raises(TypeError, match="evaluated on the host"):
        make_program(recipe)


def test_models_of_equal_settings_share_one_program_and_train_as_if_alone(monkeypatch):
    from evotrain.training import program as program_module

    settings = {"pop_size": 10, "max_nodes": 10, "max_conns": 20}
    first = NEAT("FeedForward", "xor", seed=0, **settings)
    other_seed = NEAT("FeedForward", "xor", seed=1, **settings)
    assert other_seed._step is first._step  # the seed is not part of the program
    assert NEAT("FeedForward", "xor", seed=0, **{**settings, "pop_size": 12})._step is not (
        first._step
    )
    other_seed.learn(3)
    monkeypatch.setattr(program_module, "_shared", type(program_module._shared)())
    alone = NEAT("FeedForward", "xor", seed=1, **settings)
    assert alone._step is not first._step
    alone.learn(3)
    for a, b in zip(other_seed.history, alone.history, strict=True):
        np.testing.assert_array_equal(a["fitness"], b["fitness"])
    assert_trees_equal(other_seed.train_state, alone.train_state)


def test_hyperneat_models_on_equal_substrates_share_their_program():
    from evotrain import HyperNEAT

    a = HyperNEAT("FeedForward", "xor", pop_size=10, seed=0)
    b = HyperNEAT("FeedForward", "xor", pop_size=10, seed=1)
    assert a.policy == b.policy and a._step is b._step
    c = HyperNEAT("FeedForward", "xor", pop_size=10, seed=1, hidden_layers=[2])
    assert c.policy != a.policy and c._step is not a._step


def test_openes_and_ga_models_of_equal_settings_share_their_program():
    from evotrain import GA

    es = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}}
    a, b = OpenES("MlpPolicy", "xor", seed=0, **es), OpenES("MlpPolicy", "xor", seed=1, **es)
    assert a.strategy == b.strategy and a._step is b._step
    other = OpenES("MlpPolicy", "xor", seed=0, learning_rate=0.01, **es)
    assert other._step is not a._step
    import optax

    mine = optax.sgd(0.1)  # a user's optimizer: shared only by models given this object
    c = OpenES("MlpPolicy", "xor", optimizer=mine, **es)
    assert OpenES("MlpPolicy", "xor", optimizer=mine, **es)._step is c._step
    assert OpenES("MlpPolicy", "xor", optimizer=optax.sgd(0.1), **es)._step is not c._step
    g = GA("MlpPolicy", "xor", seed=0, **es)
    assert GA("MlpPolicy", "xor", seed=5, **es)._step is g._step
    assert GA("MlpPolicy", "xor", seed=5, mutation_sigma=0.2, **es)._step is not g._step


@pytest.mark.parametrize(
    "name, changed",
    [("CMAES", {"sigma_init": 0.5}), ("ARS", {"sigma_init": 0.2}), ("SNES", {"lr_std": 0.1})],
)
def test_evosax_models_of_equal_settings_share_their_program_and_train_as_if_alone(
    name, changed, monkeypatch
):
    import evotrain
    from evotrain.training import program as program_module

    cls = getattr(evotrain, name)
    es = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}}
    a, b = cls("MlpPolicy", "xor", seed=0, **es), cls("MlpPolicy", "xor", seed=1, **es)
    assert a.strategy == b.strategy and a._step is b._step
    # Other numbers (a Params field or a constructor keyword): another program.
    assert cls("MlpPolicy", "xor", seed=0, **es, **changed)._step is not a._step
    b.learn(2)
    monkeypatch.setattr(program_module, "_shared", type(program_module._shared)())
    alone = cls("MlpPolicy", "xor", seed=1, **es)
    assert alone._step is not a._step
    alone.learn(2)
    assert_trees_equal(b.train_state, alone.train_state)
