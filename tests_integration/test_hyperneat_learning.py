"""HyperNEAT learning checks (real training)."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import HyperNEAT
from evotrain.envs import FunctionFit
from tests_integration.test_learning import _train_until
from tests_integration.test_neat_learning import _learn_until_best, xor_fitness

pytestmark = pytest.mark.slow


def test_hyperneat_solves_xor():
    xor = FunctionFit(FunctionFit.xor().inputs, FunctionFit.xor().targets, metric=xor_fitness)
    model = HyperNEAT(
        "FeedForward",
        xor,
        hidden_layers=(4,),
        bias_output=True,
        substrate_output_activation="sigmoid",
        pop_size=300,
        seed=1,
        max_nodes=20,
        max_conns=40,
    )
    solved_at = _learn_until_best(model, 150, lambda best: best >= 3.9)
    outputs, _ = model.predict(xor.inputs)
    print(f"xor: solved at generation {solved_at}, outputs {outputs[:, 0]}")
    assert solved_at is not None
    assert np.all((outputs[:, 0] > 0.5) == (xor.targets[:, 0] > 0.5))


def test_hyperneat_solves_gymnax_cartpole():
    model = HyperNEAT("FeedForward", "gymnax:CartPole-v1", pop_size=1000, seed=0)
    gen, mean = _train_until(model, 20, 475.0)
    assert gen is not None, f"mean evaluation return {mean} < 475 after 20 generations"


def test_hyperneat_with_a_body_substrate_improves_on_brax_hopper():
    model = HyperNEAT(
        "FeedForward",
        "brax:hopper",
        substrate="body",
        hidden_layers=(1,),
        env_kwargs={"backend": "spring", "episode_length": 200},
        pop_size=64,
        seed=0,
    )
    assert model.policy.substrate.dim == 4  # (x, y, z, layer) on the robot's bodies
    model.learn(8)
    first, history = model.history[0], model.history[1:]
    best = max(h["fitness_max"] for h in history)
    mean = max(h["fitness_mean"] for h in history)
    print(
        f"hopper body substrate: best {first['fitness_max']:.1f} -> {best:.1f}, "
        f"mean {first['fitness_mean']:.1f} -> {mean:.1f}"
    )
    assert best > first["fitness_max"] and mean > first["fitness_mean"]
