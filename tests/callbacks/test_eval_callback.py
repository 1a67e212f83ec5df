"""EvalCallback: evaluations.npz with SB3's keys, the best model, and its child callbacks."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import OpenES, evaluate_policy
from evotrain.callbacks import BaseCallback, EvalCallback, StopTrainingOnFitnessThreshold

SMALL = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 30}


class Count(BaseCallback):
    def _on_generation_end(self) -> bool:
        return True


def test_evaluations_npz_best_model_and_after_eval(tmp_path):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=0, **SMALL)
    after = Count()
    cb = EvalCallback(
        "gymnax:CartPole-v1",
        callback_after_eval=after,
        n_eval_episodes=3,
        eval_freq=2,
        log_path=str(tmp_path / "logs"),
        best_model_save_path=str(tmp_path / "best"),
        verbose=0,
    )
    model.learn(5, callback=cb)
    data = np.load(tmp_path / "logs" / "evaluations.npz")
    assert set(data.files) == {"timesteps", "generations", "results", "ep_lengths"}
    assert data["generations"].tolist() == [2, 4]
    steps = np.cumsum([h["env_steps"] for h in model.history])
    assert data["timesteps"].tolist() == [steps[1], steps[3]]
    assert data["results"].shape == data["ep_lengths"].shape == (2, 3)
    means = data["results"].mean(axis=1)
    assert cb.best_mean_reward == pytest.approx(means.max())
    assert cb.last_mean_reward == pytest.approx(means[-1])
    assert after.n_calls == 2 and after.parent is cb
    best = OpenES.load(tmp_path / "best" / "best_model")
    assert best.num_generations == 2 + 2 * int(means[1] > means[0])
    rewards, _ = evaluate_policy(
        best, "gymnax:CartPole-v1", n_eval_episodes=3, return_episode_rewards=True
    )
    assert np.mean(rewards) == pytest.approx(means.max())


def test_new_best_child_can_stop_training(tmp_path):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=1, **SMALL)
    stop = StopTrainingOnFitnessThreshold(-1.0)
    model.learn(
        10,
        callback=EvalCallback(
            "gymnax:CartPole-v1", stop, n_eval_episodes=2, eval_freq=3, verbose=0
        ),
    )
    assert model.num_generations == 3 and stop.parent is not None


def test_eval_env_of_other_sizes_is_refused():
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=1, **SMALL)
    with pytest.raises(ValueError, match="does not match the model's env"):
        model.learn(1, callback=EvalCallback("gymnax:Acrobot-v1", eval_freq=1))
