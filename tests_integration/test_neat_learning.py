"""NEAT learning checks (real training)."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import NEAT, evaluate_policy
from evotrain.envs import ActionRangeWarning, FunctionFit
from tests.helpers import DelayedRecallEnv
from tests_integration.test_learning import _train_until

pytestmark = pytest.mark.slow


def xor_fitness(outputs, targets):
    """neat-python's XOR fitness: 4 - sum of squared errors."""
    return 4.0 - ((outputs - targets) ** 2).sum()


def _learn_until_best(model, generations, reached):
    """Trains up to ``generations``, stopping once ``reached(best fitness of a generation)``.

    Returns:
        The generation where it first held, or None.
    """
    at = {}

    def check(locals_):
        if reached(locals_["info"]["fitness_max"]):
            at["gen"] = locals_["generation"]
            return False
        return True

    model.learn(generations, callback=check)
    return at.get("gen")


def test_neat_solves_xor_with_the_neat_python_preset():
    xor = FunctionFit(FunctionFit.xor().inputs, FunctionFit.xor().targets, metric=xor_fitness)
    model = NEAT("FeedForward", xor, preset="neat-python-xor", seed=0, max_nodes=20, max_conns=40)
    solved_at = _learn_until_best(model, 300, lambda best: best >= 3.9)
    outputs, _ = model.predict(xor.inputs)
    print(f"xor: solved at generation {solved_at}, outputs {outputs[:, 0]}")
    assert solved_at is not None
    assert np.all((outputs[:, 0] > 0.5) == (xor.targets[:, 0] > 0.5))


def test_neat_defaults_solve_xor_as_a_new_user_tries_it():
    # benchmarks/neat_xor_defaults.py runs 100 seeds; these five are a sample of them.
    for seed in range(5):
        model = NEAT("FeedForward", "xor", seed=seed)
        solved_at = _learn_until_best(model, 150, lambda best: best >= -0.025)
        outputs, _ = model.predict(FunctionFit.xor().inputs)
        print(f"seed {seed}: solved at generation {solved_at}")
        assert solved_at is not None, f"seed {seed} did not solve XOR in 150 generations"
        assert np.all((outputs[:, 0] > 0.5) == (FunctionFit.xor().targets[:, 0] > 0.5))


def test_recurrent_neat_remembers_what_feedforward_cannot():
    env = DelayedRecallEnv(delay=4)
    scores = {}
    for policy in ("Recurrent", "FeedForward"):
        model = NEAT(
            policy,
            env,
            pop_size=150,
            n_episodes=16,
            seed=0,
            max_nodes=10,
            max_conns=20,
            conn_add=0.5,
            node_add=0.1,
        )
        model.learn(40, callback=lambda loc: loc["info"]["fitness_max"] < 1.0)
        scores[policy], _ = evaluate_policy(model, env, n_eval_episodes=200)
    print(f"delayed recall: {scores}")
    assert scores["Recurrent"] >= 0.95
    assert scores["FeedForward"] <= 0.65  # at best the share of its favourite cue


def test_recurrent_predict_carries_memory():
    env = DelayedRecallEnv(delay=3)
    model = NEAT(
        "Recurrent",
        env,
        pop_size=150,
        n_episodes=16,
        seed=0,
        max_nodes=10,
        max_conns=20,
        conn_add=0.5,
        node_add=0.1,
    )
    model.learn(40, callback=lambda loc: loc["info"]["fitness_max"] < 1.0)
    correct = 0
    for cue in (1.0, -1.0, -1.0, 1.0):
        state, start = None, np.array([True])
        obs = np.array([[cue, 0.0]])
        for t in range(env.delay + 1):
            action, state = model.predict(obs, state, start)
            start = np.array([False])
            obs = np.array([[0.0, 1.0 if t + 1 == env.delay else 0.0]])
        correct += int(action[0] == (1 if cue > 0 else 0))
    assert state is not None and state[0].shape == (1, 10)
    assert correct == 4


def test_neat_solves_gymnax_cartpole_within_20_generations():
    model = NEAT("FeedForward", "gymnax:CartPole-v1", pop_size=1000, seed=0)
    gen, mean = _train_until(model, 20, 475.0)
    assert gen is not None, f"mean evaluation return {mean} < 475 after 20 generations"


def test_neat_hopper_best_return_passes_1000_within_50_generations():
    with pytest.warns(ActionRangeWarning):  # TensorNEAT's tanh outputs, kept on purpose
        model = NEAT(
            "FeedForward",
            "brax:hopper",
            env_kwargs={"backend": "spring"},
            pop_size=256,
            output_activation="tanh",
            seed=0,
        )
    reached = _learn_until_best(model, 50, lambda best: best > 1000.0)
    best = max(h["fitness_max"] for h in model.history)
    print(f"hopper: best return {best:.1f}, above 1000 at generation {reached}")
    assert reached is not None, f"best return {best:.1f} <= 1000 after 50 generations"
