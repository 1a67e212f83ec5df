"""CMA-ME and CMA-MAE: the archive fills on the planar arm, a stuck emitter restarts from
an elite, and CMA-MAE at its limits: archive learning rate 0 is CMA-ES on the fitness."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.evaluation.result import Evaluation
from evotrain.qd import GridLayout
from evotrain.strategies.cma_me import CMAMEConfig, CMAMEStrategy
from evotrain.strategies.evosax import EvosaxStrategy
from tests.strategies.conftest import assert_trees_equal

DIMS, BATCH = 8, 16
LAYOUT = GridLayout((10, 10), (0.0, 0.0), (1.0, 1.0))


def arm(x):
    x = jnp.clip(x, 0.0, 1.0)
    angles = jnp.cumsum(2 * jnp.pi * x - jnp.pi, axis=1)
    pos = jnp.stack([jnp.cos(angles).sum(1), jnp.sin(angles).sum(1)], 1) / (2 * x.shape[1])
    return -jnp.std(x, axis=1), pos + 0.5


def _run(strategy, generations, seed=0):
    params = strategy.default_params

    def generation(state, key):
        k_ask, k_tell = jax.random.split(key)
        population, state = strategy.ask(k_ask, state, params)
        f, d = arm(population)
        state, metrics = strategy.tell(
            k_tell,
            population,
            Evaluation(f, jnp.int32(0), jnp.int32(0), descriptors=d),
            state,
            params,
        )
        return state, metrics

    key = jax.random.key(seed)
    state = strategy.init(key, params)
    return jax.jit(lambda s, k: jax.lax.scan(generation, s, jax.random.split(k, generations)))(
        state, key
    )


@pytest.mark.parametrize("learning_rate, threshold_min", [(1.0, -np.inf), (0.5, -1.0)])
def test_the_archive_fills_and_a_stuck_emitter_restarts(learning_rate, threshold_min):
    config = CMAMEConfig(BATCH, DIMS, LAYOUT, learning_rate, threshold_min, 0.2, qd_offset=-1.0)
    uniform = lambda key: jax.random.uniform(key, (DIMS,))  # noqa: E731
    state, metrics = _run(CMAMEStrategy(config, uniform), 150)
    coverage = np.asarray(metrics["coverage"])
    assert np.all(np.diff(coverage) >= 0) and coverage[-1] > 0.2
    assert np.all(np.diff(np.asarray(metrics["qd_score"])) >= -1e-4)
    assert int(state.restarts) >= 1  # the emitter ran dry at least once and restarted
    filled = np.asarray(state.archive.filled)
    cells = np.asarray(LAYOUT.index(state.archive.descriptors, state.archive.centroids))
    np.testing.assert_array_equal(cells[filled], np.flatnonzero(filled))


def test_cma_mae_with_learning_rate_0_is_cma_es_on_the_fitness():
    config = CMAMEConfig(BATCH, DIMS, LAYOUT, learning_rate=0.0, threshold_min=-10.0, sigma0=0.2)
    me = CMAMEStrategy(config)
    es = EvosaxStrategy("CMA_ES", DIMS, BATCH, std_init=0.2)
    params = me.default_params
    key = jax.random.key(3)
    s_me, s_es = me.init(key, params), es.init(key, params)
    for k in jax.random.split(key, 5):
        k_ask, k_tell = jax.random.split(k)
        pop, s_me = me.ask(k_ask, s_me, params)
        pop_es, s_es = es.ask(k_ask, s_es, params)
        np.testing.assert_array_equal(np.asarray(pop), np.asarray(pop_es))
        # A fitness without ties (the arm's clipping ties individuals beyond the box).
        f, d = -jnp.sum((pop - 0.5) ** 2, axis=1), jnp.clip(pop[:, :2], 0.0, 1.0)
        s_me, _ = me.tell(
            k_tell, pop, Evaluation(f, jnp.int32(0), jnp.int32(0), descriptors=d), s_me, params
        )
        s_es, _ = es.tell(jax.random.split(k_tell, 3)[0], pop, f, s_es, params)
        assert int(s_me.restarts) == 0  # every candidate beats the fixed threshold
    # Only the ranks reach CMA-ES, and f - t_min ranks as f does: the same search.
    assert_trees_equal(s_me.es.inner.mean, s_es.inner.mean, rtol=1e-6)
    assert_trees_equal(s_me.es.inner.C, s_es.inner.C, rtol=1e-5, atol=1e-7)


def test_impossible_settings_are_refused():
    with pytest.raises(ValueError, match="learning_rate must be in"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, learning_rate=1.5)
    with pytest.raises(ValueError, match="needs a finite threshold_min"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, learning_rate=0.5)
    with pytest.raises(ValueError, match="sigma0 must be a finite positive"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, sigma0=0.0)
