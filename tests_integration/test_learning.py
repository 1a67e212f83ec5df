"""Learning thresholds from the Foundation issue (real envs, real training)."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import GA, OpenES, evaluate_policy

pytestmark = pytest.mark.slow


def _train_until(model, generations, threshold, every=1, n_eval_episodes=10):
    """Trains up to ``generations``; evaluates every ``every`` generations; stops on success.

    Returns:
        ``(generation reached, last mean evaluation return)``.
    """
    state = {"gen": None, "mean": -np.inf}

    def check(locals_):
        gen = locals_["generation"]
        if gen % every:
            return True
        mean, _ = evaluate_policy(model, model.get_env(), n_eval_episodes=n_eval_episodes)
        state["mean"] = mean
        if mean >= threshold:
            state["gen"] = gen
            return False
        return True

    model.learn(generations, callback=check)
    print(
        f"{model.get_env().spec.env_id}: mean evaluation {state['mean']:.1f} at generation "
        f"{state['gen']} ({model.num_timesteps} env steps)"
    )
    return state["gen"], state["mean"]


def test_openes_solves_gymnax_cartpole_within_30_generations():
    model = OpenES(
        "MlpPolicy",
        "gymnax:CartPole-v1",
        pop_size=256,
        seed=0,
        policy_kwargs={"net_arch": [16, 16]},
    )
    gen, mean = _train_until(model, 30, 475.0)
    assert gen is not None, f"mean evaluation return {mean} < 475 after 30 generations"


def test_ga_solves_gymnax_cartpole_within_50_generations():
    model = GA(
        "MlpPolicy",
        "gymnax:CartPole-v1",
        pop_size=256,
        seed=0,
        policy_kwargs={"net_arch": [16, 16]},
    )
    gen, mean = _train_until(model, 50, 475.0)
    assert gen is not None, f"mean evaluation return {mean} < 475 after 50 generations"


def test_openes_solves_gymnasium_cartpole_on_the_host_path_within_50_generations():
    model = OpenES(
        "MlpPolicy",
        "gymnasium:CartPole-v1",
        pop_size=64,
        seed=0,
        policy_kwargs={"net_arch": [16, 16]},
    )
    gen, mean = _train_until(model, 50, 475.0, every=5)
    assert gen is not None, f"mean evaluation return {mean} < 475 after 50 generations"


def test_openes_balances_brax_inverted_pendulum():
    model = OpenES(
        "MlpPolicy",
        "brax:inverted_pendulum",
        env_kwargs={"backend": "spring"},
        pop_size=128,
        learning_rate=0.05,
        obs_normalization=True,
        seed=0,
        policy_kwargs={"net_arch": [16, 16]},
    )
    gen, mean = _train_until(model, 60, 900.0, every=5)
    assert gen is not None, f"mean evaluation return {mean} < 900 after 60 generations"


def test_ga_fits_xor():
    model = GA("MlpPolicy", "xor", pop_size=256, seed=0, policy_kwargs={"net_arch": [8]})
    model.learn(200)
    mean, _ = evaluate_policy(model, "xor", n_eval_episodes=1)
    print(f"xor: MSE {-mean:.2e} after 200 generations")
    assert -mean < 0.01, f"XOR MSE {-mean} >= 0.01"
    outputs, _ = model.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))
    assert np.all((outputs[:, 0] > 0.5) == np.array([False, True, True, False]))
