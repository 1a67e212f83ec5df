"""Callback lifecycle, composition and the stop callbacks, on a small OpenES run."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import OpenES
from evotrain.callbacks import (
    BaseCallback,
    CallbackList,
    ConvertCallback,
    EveryNGenerations,
    StopTrainingOnFitnessThreshold,
    StopTrainingOnNoImprovement,
    make_callback,
)
from evotrain.training.info import GenerationInfo

SMALL = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 30}


@pytest.fixture(scope="module")
def model():
    return OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=5, **SMALL)


class Recorder(BaseCallback):
    """Logs every hook, and stops at generation ``stop_at`` (counted by this callback)."""

    def __init__(self, stop_at: int | None = None) -> None:
        super().__init__()
        self.events: list[str] = []
        self.infos: list[GenerationInfo] = []
        self.stop_at = stop_at

    def _init_callback(self) -> None:
        self.events.append("init")

    def _on_training_start(self) -> None:
        self.events.append("start")

    def _on_generation_start(self) -> None:
        self.events.append("gen_start")

    def _on_generation_end(self) -> bool:
        self.events.append(f"gen_end {self.num_generations}")
        self.infos.append(self.info)
        return self.stop_at is None or self.n_calls < self.stop_at

    def _on_training_end(self) -> None:
        self.events.append("end")


def test_lifecycle_order_and_info(model):
    rec = Recorder()
    model.learn(3, callback=rec)
    assert rec.events == ["init", "start"] + [
        e for g in (1, 2, 3) for e in ("gen_start", f"gen_end {g}")
    ] + ["end"]
    assert rec.model is model and rec.n_calls == 3
    assert rec.num_generations == 3 and rec.num_timesteps == model.num_timesteps > 0
    assert rec.locals["generations"] == 3
    info = rec.infos[-1]
    assert info.generation == 3 and info.num_timesteps == model.num_timesteps
    assert info.fitness.shape == (8,) and isinstance(info.fitness, np.ndarray)
    assert info.fitness_max == pytest.approx(float(np.max(info.fitness)))
    assert info.best_fitness >= max(i.fitness_max for i in rec.infos)
    assert isinstance(info.best_params, np.ndarray)
    assert info.best_params.shape == model.train_state.best_params.shape
    assert "sigma" in info.algorithm
    assert info["generation"] == 3 and model.history[-1]["generation"] == 3


def test_stop_is_honoured_and_training_end_still_runs(model):
    rec = Recorder(stop_at=2)
    model.learn(10, callback=rec)
    assert model.num_generations == 2
    assert rec.events[-1] == "end" and rec.events.count("gen_start") == 2


def test_callback_list_runs_every_callback_and_stops_if_any_asks(model):
    first, second = Recorder(stop_at=1), Recorder()
    model.learn(5, callback=[first, second])
    assert model.num_generations == 1
    assert first.n_calls == second.n_calls == 1 and second.events[-1] == "end"


def test_plain_functions_one_or_two_arguments(model):
    seen = []

    def one(locals_):
        seen.append(("one", locals_["generation"], locals_["info"].generation))
        return True

    def two(locals_, globals_):
        assert locals_["self"] is model and "make_callback" in globals_
        seen.append(("two", locals_["generation"]))

    model.learn(2, callback=[one, two])
    assert seen == [("one", 1, 1), ("two", 1), ("one", 2, 2), ("two", 2)]


def test_a_hook_returning_a_non_bool_is_an_error(model):
    with pytest.raises(TypeError, match="return True to continue training or False"):
        model.learn(1, callback=lambda locals_: "yes")


def test_make_callback_shapes():
    rec = Recorder()
    assert make_callback(rec) is rec
    assert isinstance(make_callback(print), ConvertCallback)
    both = make_callback([rec, print], progress_bar=True)
    assert isinstance(both, CallbackList) and len(both.callbacks) == 3
    assert isinstance(make_callback(None), BaseCallback)
    with pytest.raises(TypeError, match="callback must be a BaseCallback"):
        make_callback(3)
    with pytest.raises(TypeError, match="Wrap plain functions with ConvertCallback"):
        CallbackList([print])


def test_every_n_generations_counts_model_generations_across_learn_calls(model):
    child = Recorder()
    every = EveryNGenerations(2, child)
    model.learn(5, callback=every)
    assert [e for e in child.events if e.startswith("gen_end")] == ["gen_end 2", "gen_end 4"]
    assert child.parent is every and child.events[0] == "init"
    child2 = Recorder()
    model.learn(3, callback=EveryNGenerations(2, child2), reset_num_generations=False)
    assert [e for e in child2.events if e.startswith("gen_end")] == ["gen_end 7"]
    with pytest.raises(ValueError, match="n_generations must be a positive integer"):
        EveryNGenerations(0, child)


def test_stop_on_fitness_threshold_during_training(model, capsys):
    model.learn(10, callback=StopTrainingOnFitnessThreshold(-1e9, verbose=1))
    assert model.num_generations == 1
    assert "reached the threshold" in capsys.readouterr().out
    model.learn(3, callback=StopTrainingOnFitnessThreshold(1e9))
    assert model.num_generations == 3
    with pytest.raises(ValueError, match="not NaN"):
        StopTrainingOnFitnessThreshold(float("nan"))


def test_stop_on_no_improvement_during_training():
    # Episodes are capped at 30 steps, so the best fitness soon stops improving.
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=5, **SMALL)
    model.learn(60, callback=StopTrainingOnNoImprovement(2))
    bests = [h["best_fitness"] for h in model.history]
    assert 3 <= len(bests) < 60
    # Stopped at the third generation in a row without a new best, not earlier.
    assert bests[-1] == bests[-2] == bests[-3] == bests[-4] or len(bests) == 3
    improvements = [i for i in range(1, len(bests)) if bests[i] > bests[i - 1]]
    assert len(bests) - 1 - max(improvements, default=0) == 3


class _FakeModel:
    num_generations = 0
    num_timesteps = 0


def _info(best: float) -> GenerationInfo:
    record = {
        "generation": 1,
        "num_timesteps": 0,
        "env_steps": 0,
        "fitness": np.zeros(2),
        "fitness_max": best,
        "fitness_mean": 0.0,
        "fitness_std": 0.0,
        "fitness_min": 0.0,
        "best_fitness": best,
        "nonfinite": 0,
        "time_s": 0.0,
        "elapsed_s": 0.0,
        "steps_per_s": 0.0,
    }
    return GenerationInfo.from_record(record, np.zeros(1))


@pytest.mark.parametrize(
    ("patience", "min_checks", "bests", "stops_at"),
    [
        (0, 0, [1, 2, 3, 3], 4),
        (1, 0, [1, 2, 2, 2, 5], 4),
        (1, 0, [1, 1, 2, 2, 3, 3, 4], None),
        (0, 3, [5, 5, 5, 5], 4),
    ],
)
def test_stop_on_no_improvement_counts_checks(patience, min_checks, bests, stops_at):
    cb = StopTrainingOnNoImprovement(patience, min_checks=min_checks)
    cb.init_callback(_FakeModel())
    cb.on_training_start()
    stopped = None
    for i, best in enumerate(bests, start=1):
        if not cb.on_generation_end(_info(float(best))):
            stopped = i
            break
    assert stopped == stops_at


def test_stop_on_no_improvement_under_a_parent_watches_its_best_mean_reward():
    class Parent(BaseCallback):
        best_mean_reward = 1.0

    parent = Parent()
    cb = StopTrainingOnNoImprovement(0)
    cb.parent = parent
    cb.init_callback(_FakeModel())
    assert cb.on_generation_end(_info(100.0))
    assert not cb.on_generation_end(_info(200.0))  # the parent's value did not improve
    with pytest.raises(ValueError, match="max_no_improvement must be a non-negative integer"):
        StopTrainingOnNoImprovement(-1)
