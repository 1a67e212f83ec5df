"""Learning thresholds of the evosax shells and the seed-chain GA (real envs, real training)."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain import GA
from evotrain.algorithms.evosax_family import ARS, CMAES, PGPE, SNES
from tests_integration.test_learning import _train_until

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("cls", [CMAES, SNES, PGPE, ARS], ids=lambda c: c.__name__)
def test_evosax_shell_solves_gymnax_cartpole_with_its_defaults(cls):
    model = cls("MlpPolicy", "gymnax:CartPole-v1", seed=0, policy_kwargs={"net_arch": [16]})
    gen, mean = _train_until(model, 50, 475.0)
    assert gen is not None, f"{cls.__name__}: mean evaluation return {mean} < 475 after 50"


def test_cmaes_solves_brax_inverted_pendulum():
    model = CMAES(
        "MlpPolicy", "brax:inverted_pendulum", pop_size=32, seed=0, policy_kwargs={"net_arch": []}
    )
    gen, mean = _train_until(model, 40, 900.0, n_eval_episodes=5)
    assert gen is not None, f"mean evaluation return {mean} < 900 after 40 generations"


def _curves(encoding, seeds, generations):
    curves = []
    for seed in seeds:
        model = GA(
            "MlpPolicy",
            "gymnax:CartPole-v1",
            pop_size=64,
            encoding=encoding,
            selection="truncation",
            crossover_rate=0.0,
            mutation_sigma=0.02,
            policy_kwargs={"net_arch": [16]},
            seed=seed,
        ).learn(generations)
        curves.append([h["fitness_mean"] for h in model.history])
    return np.asarray(curves)


def test_seed_chain_ga_learns_like_the_float_ga_on_cartpole():
    """Both encodings run Such et al.'s GA (truncation, mutation only) from the same seeds;
    their random streams differ, so the population-mean curves agree within seed noise."""
    seeds, generations = range(6), 12
    chains, floats = _curves("seeds", seeds, generations), _curves("float", seeds, generations)
    diff = chains.mean(0) - floats.mean(0)
    noise = np.sqrt(chains.var(0, ddof=1) / len(seeds) + floats.var(0, ddof=1) / len(seeds))
    area = diff.mean() / np.sqrt(np.mean(np.square(noise)))
    print("seeds:", np.round(chains.mean(0)), "\nfloat:", np.round(floats.mean(0)))
    print(f"mean difference {diff.mean():.1f}, {area:.2f} standard errors")
    assert abs(area) < 3.0
    assert chains.mean(0)[-1] > 3 * chains.mean(0)[0]  # and both learn
    assert floats.mean(0)[-1] > 3 * floats.mean(0)[0]
