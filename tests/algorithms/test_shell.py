import numpy as np
import pytest

from evotrain import GA, OpenES, evaluate_policy
from evotrain.envs import UnknownEnvError
from tests.helpers import CountdownEnv

SMALL = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 30}


@pytest.fixture(scope="module")
def es():
    return OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=3, **SMALL)


def test_learn_counts_and_continues(es):
    es.learn(2)
    assert es.num_generations == 2 and es.num_timesteps > 0
    first = es.num_timesteps
    es.learn(1, reset_num_generations=False)
    assert es.num_generations == 3 and es.num_timesteps > first
    assert int(es.train_state.generation) == 3
    es.learn(1)
    assert es.num_generations == 1 and int(es.train_state.generation) == 4


def test_predict_single_and_batched(es):
    action, state = es.predict(np.zeros(4))
    assert np.shape(action) == () and state is None
    actions, _ = es.predict(np.zeros((5, 4)))
    assert actions.shape == (5,) and set(np.unique(actions)) <= {0, 1}
    sampled, _ = es.predict(np.zeros((50, 4)), deterministic=False)
    assert sampled.shape == (50,)


def test_predict_rejects_wrong_shape(es):
    with pytest.raises(ValueError, match=r"shape \(4,\) or \(n, 4\).*got \(3,\)"):
        es.predict(np.zeros(3))


def test_callback_stops_training(es):
    seen = []

    def stop_after_two(locals_):
        seen.append(locals_["info"]["generation"])
        return len(seen) < 2

    es.learn(10, callback=stop_after_two)
    assert seen == [1, 2] and es.num_generations == 2


def test_verbose_table_and_progress_bar(capsys):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=0, verbose=1, **SMALL)
    model.learn(2, progress_bar=True)
    out = capsys.readouterr().out
    for column in ("gen", "best", "mean", "std", "nonfin", "env steps", "steps/s", "elapsed"):
        assert column in out
    assert "cpu device" in out


def test_set_env_same_sizes_and_mismatch(es):
    es.set_env("gymnasium:CartPole-v1")
    assert es.get_env().spec.family == "gymnasium"
    es.set_env("gymnax:CartPole-v1")
    with pytest.raises(ValueError, match="does not match the model's env"):
        es.set_env("gymnax:Acrobot-v1")
    with pytest.raises(ValueError, match="does not match"):
        es.set_env("gymnax:MountainCarContinuous-v0")


def test_bad_input_messages():
    with pytest.raises(ValueError, match="Unknown policy 'CnnPolicy'.*MlpPolicy"):
        OpenES("CnnPolicy", "CartPole-v1")
    with pytest.raises(UnknownEnvError, match="Did you mean"):
        OpenES("MlpPolicy", "gymnax:CartPol-v1")
    for bad in (0, -4, 2.5):
        with pytest.raises(ValueError, match="pop_size must be an integer from 1 to"):
            OpenES("MlpPolicy", "CartPole-v1", pop_size=bad)
    with pytest.raises(ValueError, match="odd.*antithetic"):
        OpenES("MlpPolicy", "CartPole-v1", pop_size=7)
    with pytest.raises(ValueError, match="learning_rate"):
        OpenES("MlpPolicy", "CartPole-v1", learning_rate=0.0)
    with pytest.raises(ValueError, match="crossover_rate"):
        GA("MlpPolicy", "CartPole-v1", crossover_rate=2.0)
    with pytest.raises(ValueError, match="Unknown policy_kwargs"):
        GA("MlpPolicy", "CartPole-v1", policy_kwargs={"layers": [3]})
    with pytest.raises(ValueError, match="does not divide"):
        GA("MlpPolicy", "CartPole-v1", pop_size=10, pop_batch_size=4)
    with pytest.raises(ValueError, match="generations must be a positive integer"):
        GA("MlpPolicy", "CartPole-v1", pop_size=4).learn(0)


def test_nan_rewards_do_not_stop_training(capsys):
    model = OpenES(
        "MlpPolicy", CountdownEnv(max_steps=5, poison=True), pop_size=16, seed=0, verbose=1
    )
    model.learn(3)
    counts = [h["nonfinite"] for h in model.history]
    assert sum(counts) > 0
    assert np.all(np.isfinite(np.asarray(model.policy_params)))
    rows = [line for line in capsys.readouterr().out.splitlines() if line.strip()[:1].isdigit()]
    assert [int(r.split("|")[4]) for r in rows] == counts


def test_function_fit_predict_returns_outputs():
    model = GA("MlpPolicy", "xor", pop_size=8, seed=0, policy_kwargs={"net_arch": [4]})
    model.learn(1)
    out, _ = model.predict(np.array([[0, 1], [1, 1]]))
    assert out.shape == (2, 1) and out.dtype == np.float32
    rewards, lengths = evaluate_policy(model, "xor", n_eval_episodes=2, return_episode_rewards=True)
    assert lengths == [4, 4] and rewards[0] == rewards[1] <= 0.0


def test_evaluate_policy_gymnax_paths_agree():
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=1, **SMALL)
    model.learn(1)
    fast = evaluate_policy(model, model.get_env(), n_eval_episodes=4, return_episode_rewards=True)
    slow = evaluate_policy(
        _PredictOnly(model), model.get_env(), n_eval_episodes=4, return_episode_rewards=True
    )
    assert fast == slow
    mean, std = evaluate_policy(model, "gymnax:CartPole-v1", n_eval_episodes=4)
    assert mean == pytest.approx(np.mean(fast[0])) and std >= 0.0
    with pytest.raises(ValueError, match="below the threshold"):
        evaluate_policy(model, model.get_env(), n_eval_episodes=2, reward_threshold=1e9)


def test_evaluate_policy_gymnasium():
    model = GA("MlpPolicy", "gymnasium:CartPole-v1", seed=0, **SMALL)
    rewards, lengths = evaluate_policy(
        model, model.get_env(), n_eval_episodes=3, return_episode_rewards=True
    )
    assert len(rewards) == 3 and all(r == n for r, n in zip(rewards, lengths))
    assert evaluate_policy(model, model.get_env(), n_eval_episodes=3) == (
        pytest.approx(np.mean(rewards)),
        pytest.approx(np.std(rewards)),
    )


class _PredictOnly:
    """Any object with SB3's predict, to exercise evaluate_policy's generic path."""

    def __init__(self, model):
        self._model = model

    def predict(self, obs, state=None, episode_start=None, deterministic=True):
        return self._model.predict(obs, state, episode_start, deterministic)
