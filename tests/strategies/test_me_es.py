"""ME-ES: runs alternate between fitness and novelty, each from an elite, and the
archive fills; novelty is the mean distance to the nearest elites."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.evaluation.result import Evaluation
from evotrain.qd import GridLayout, empty_archive, insert
from evotrain.strategies.me_es import MEESConfig, MEESStrategy, novelty
from tests.strategies.test_cma_me import arm

DIMS, BATCH = 8, 16
LAYOUT = GridLayout((10, 10), (0.0, 0.0), (1.0, 1.0))


def test_novelty_is_the_mean_distance_to_the_nearest_elites():
    archive = empty_archive(LAYOUT, jnp.zeros(()))
    assert float(novelty(jnp.zeros((1, 2)), archive, 3)[0]) == 0.0  # nothing to compare
    points = jnp.asarray([[0.05, 0.05], [0.95, 0.05], [0.05, 0.95]])
    archive, _ = insert(archive, LAYOUT, jnp.zeros(3), jnp.zeros(3), points)
    got = novelty(jnp.asarray([[0.05, 0.05]]), archive, 2)
    np.testing.assert_allclose(np.asarray(got), [(0.0 + 0.9) / 2], rtol=1e-6)
    got = novelty(jnp.asarray([[0.5, 0.5]]), archive, 5)  # only 3 are filled
    want = np.mean(np.linalg.norm(np.asarray(points) - 0.5, axis=1))
    np.testing.assert_allclose(np.asarray(got), [want], rtol=1e-6)


def test_runs_alternate_between_fitness_and_novelty_and_the_archive_fills():
    config = MEESConfig(BATCH, DIMS, LAYOUT, run_length=5, qd_offset=-1.0)
    strategy = MEESStrategy(config, initializer=lambda key: jnp.full((DIMS,), 0.5))
    params = strategy.default_params

    def generation(state, key):
        k_ask, k_tell = jax.random.split(key)
        population, state = strategy.ask(k_ask, state, params)
        f, d = arm(population)
        record = Evaluation(f, jnp.int32(0), jnp.int32(0), descriptors=d)
        state, metrics = strategy.tell(k_tell, population, record, state, params)
        return state, metrics

    key = jax.random.key(0)
    state = strategy.init(key, params)
    state, metrics = jax.jit(lambda s, k: jax.lax.scan(generation, s, jax.random.split(k, 40)))(
        state, key
    )
    explore = np.asarray(metrics["explore"])
    np.testing.assert_array_equal(explore, np.repeat([0, 1, 0, 1, 0, 1, 0, 1], 5))
    coverage = np.asarray(metrics["coverage"])
    assert np.all(np.diff(coverage) >= 0) and coverage[-1] > 0.05
    assert np.all(np.diff(np.asarray(metrics["qd_score"])) >= -1e-4)
    # Each run starts at an elite: the ES's mean after a run ends is in the archive.
    filled = np.asarray(state.archive.filled)
    genotypes = np.asarray(state.archive.genotypes)[filled]
    assert int(state.step) == 0
    assert np.any(np.all(genotypes == np.asarray(state.es.mean), axis=1))


def test_impossible_settings_are_refused():
    with pytest.raises(ValueError, match="run_length and novelty_k must be positive"):
        MEESConfig(BATCH, DIMS, LAYOUT, run_length=0)
