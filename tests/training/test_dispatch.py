"""Several generations per dispatch of the compiled program: the same histories and states
as one per dispatch, also across capacity levels and a save and load; callbacks see every
generation and read the model exactly at their generations."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from evotrain import CMAES, GA, NEAT, HyperNEAT, OpenES
from evotrain.callbacks import BaseCallback, EvalCallback, StopTrainingOnFitnessThreshold
from evotrain.envs import FunctionFit

SMALL = {"max_episode_steps": 30, "seed": 4}
CARTPOLE = "gymnax:CartPole-v1"
MLP = {"policy_kwargs": {"net_arch": [4]}}
# Every algorithm kind on a gymnax env and on function fitting.
MAKE = {
    "OpenES/gymnax": lambda: OpenES("MlpPolicy", CARTPOLE, pop_size=8, **MLP, **SMALL),
    "OpenES/xor": lambda: OpenES("MlpPolicy", "xor", pop_size=8, **MLP, seed=4),
    "GA/gymnax": lambda: GA("MlpPolicy", CARTPOLE, pop_size=8, **MLP, **SMALL),
    "GA/xor": lambda: GA("MlpPolicy", "xor", pop_size=8, **MLP, seed=4),
    "CMAES/gymnax": lambda: CMAES(
        "MlpPolicy", CARTPOLE, pop_size=8, policy_kwargs={"net_arch": []}, **SMALL
    ),
    "CMAES/xor": lambda: CMAES("MlpPolicy", "xor", pop_size=8, **MLP, seed=4),
    "NEAT/gymnax": lambda: NEAT(
        "FeedForward", CARTPOLE, pop_size=10, max_nodes=10, max_conns=20, **SMALL
    ),
    "NEAT/xor": lambda: NEAT("FeedForward", "xor", pop_size=10, max_nodes=10, max_conns=20, seed=4),
    "HyperNEAT/gymnax": lambda: HyperNEAT("FeedForward", CARTPOLE, pop_size=10, **SMALL),
    "HyperNEAT/xor": lambda: HyperNEAT("FeedForward", "xor", pop_size=10, seed=4),
}


def _history(model):
    return [
        {k: np.asarray(v) for k, v in h.items() if k not in ("time_s", "elapsed_s", "steps_per_s")}
        for h in model.history
    ]


def assert_same_run(a, b):
    assert len(a.history) == len(b.history)
    for x, y in zip(_history(a), _history(b), strict=True):
        assert x.keys() == y.keys()
        for k in x:
            np.testing.assert_array_equal(x[k], y[k], err_msg=k)
    for x, y in zip(
        jax.tree_util.tree_leaves(a.train_state)[1:],
        jax.tree_util.tree_leaves(b.train_state)[1:],
        strict=True,
    ):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    np.testing.assert_array_equal(
        jax.random.key_data(a.train_state.key), jax.random.key_data(b.train_state.key)
    )


@pytest.mark.parametrize("name", sorted(MAKE))
def test_generations_per_dispatch_change_no_result(name):
    one = MAKE[name]().learn(9, generations_per_dispatch=1)
    for k in (8, 32, None):  # dispatches of 8 and 1; one of 9; learn's choice
        assert_same_run(one, MAKE[name]().learn(9, generations_per_dispatch=k))


class Dispatches(BaseCallback):
    """Counts the generations each dispatch delivered (a dispatch starts a generation
    whose end comes after the program returned), reading only infos."""

    def __init__(self):
        super().__init__()
        self.ends = []

    def generations_until_read(self):
        return None

    def _on_generation_end(self):
        self.ends.append(self.model.num_generations)
        return True


def test_a_dispatch_stops_where_the_population_needs_another_capacity_level():
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    problem = FunctionFit(x, np.tile(x.sum(axis=1, keepdims=True), (1, 7)), name="wide")
    settings = dict(
        pop_size=12, max_nodes=20, max_conns=40, node_add=1.0, node_delete=0.0, conn_delete=0.0
    )
    one = NEAT("FeedForward", problem, seed=0, **settings).learn(4, generations_per_dispatch=1)
    model = NEAT("FeedForward", problem, seed=0, **settings)
    program = model._step
    ts, chunk = program.run(program.ready(model.train_state), 4)
    assert int(chunk.done) == 2  # the third generation runs at the next level (the capacity test)
    model.learn(4, generations_per_dispatch=4)
    assert_same_run(one, model)


def test_the_next_capacity_level_compiles_in_the_background_to_the_same_run(monkeypatch):
    from evotrain.training import program as program_module

    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    problem = FunctionFit(x, np.tile(x.sum(axis=1, keepdims=True), (1, 7)), name="wide")
    settings = dict(
        pop_size=12, max_nodes=20, max_conns=40, node_add=1.0, node_delete=0.0, conn_delete=0.0
    )
    on_need = NEAT("FeedForward", problem, seed=0, **settings).learn(4)
    monkeypatch.setattr(program_module, "_shared", type(program_module._shared)())
    model = NEAT("FeedForward", problem, seed=0, **settings)
    program = model._step
    ts = program.ready(model.train_state)  # level 0 compiled
    assert list(program._compiled) == [0]
    assert program.compile_ahead(ts)  # 28 of level 0's 32 connection rows are in use
    assert not program.compile_ahead(ts)  # once
    compiled_ahead = program._pending[1].result()
    model.learn(4)
    assert program._compiled[1] is compiled_ahead and not program._pending
    assert_same_run(on_need, model)
    short = NEAT("FeedForward", "xor", seed=0, pop_size=10)
    assert not short._step.compile_ahead(short.train_state)  # far from its next level


def test_a_save_and_load_between_dispatches_continue_exactly(tmp_path):
    straight = MAKE["NEAT/xor"]().learn(12, generations_per_dispatch=1)
    first = MAKE["NEAT/xor"]().learn(5, generations_per_dispatch=8)
    first.save(tmp_path / "mid")
    resumed = NEAT.load(tmp_path / "mid").learn(
        7, reset_num_generations=False, generations_per_dispatch=8
    )
    assert_same_run(straight, resumed)


def test_callbacks_read_the_model_exactly_at_their_generations():
    runs = {}
    for per_dispatch in (1, 8):
        evaluation = EvalCallback(
            MAKE["OpenES/gymnax"]().get_env(), eval_freq=3, n_eval_episodes=2, verbose=0
        )
        seen = Dispatches()
        model = MAKE["OpenES/gymnax"]().learn(
            10, callback=[evaluation, seen], generations_per_dispatch=per_dispatch
        )
        assert seen.ends == list(range(1, 11))  # every generation's info, in order
        assert evaluation.evaluations_generations == [3, 6, 9]
        runs[per_dispatch] = (model, evaluation.evaluations_results)
    assert_same_run(runs[1][0], runs[8][0])
    assert runs[1][1] == runs[8][1]


def test_a_callback_that_may_stop_at_any_generation_stops_it_exactly():
    threshold = float(MAKE["NEAT/xor"]().learn(6).history[3]["best_fitness"])
    model = MAKE["NEAT/xor"]().learn(
        30, callback=StopTrainingOnFitnessThreshold(threshold), generations_per_dispatch=8
    )
    stopped = model.num_generations
    assert stopped <= 4 and model.history[-1]["best_fitness"] >= threshold
    again = MAKE["NEAT/xor"]().learn(stopped, generations_per_dispatch=1)
    assert_same_run(again, model)


def test_learn_compiles_ahead_on_accelerators_in_long_runs_only():
    from evotrain.training.pace import COMPILE_AHEAD_LEFT, Pace

    assert Pace(32, None, "gpu").compiles_ahead(COMPILE_AHEAD_LEFT)
    assert not Pace(32, None, "gpu").compiles_ahead(COMPILE_AHEAD_LEFT - 1)
    assert not Pace(32, None, "cpu").compiles_ahead(10 * COMPILE_AHEAD_LEFT)  # same cores
