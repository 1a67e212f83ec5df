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
