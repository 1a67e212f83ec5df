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
    state, metrics = _run(CMAMEStrategy(config, uniform), 300)
    coverage = np.asarray(metrics["coverage"])
    assert np.all(np.diff(coverage) >= 0) and coverage[-1] > 0.2
    assert np.all(np.diff(np.asarray(metrics["qd_score"])) >= -1e-4)
    # The emitter ran dry and restarted (at 300 generations 53 to 195 times, by seed and
    # compiler flags; far fewer at 150, where it may not have yet).
    assert int(state.restarts) >= 1
    filled = np.asarray(state.archive.filled)
    cells = np.asarray(LAYOUT.index(state.archive.descriptors, state.archive.centroids))
    np.testing.assert_array_equal(cells[filled], np.flatnonzero(filled))


@pytest.mark.parametrize("emitters", [1, 3])
def test_cma_mae_with_learning_rate_0_is_cma_es_on_the_fitness(emitters):
    """With threshold_min fixed every emitter ranks by fitness alone, so each of several
    emitters is an independent CMA-ES on its own share of the batch and its own keys."""
    config = CMAMEConfig(BATCH * emitters, DIMS, LAYOUT, 0.0, -10.0, sigma0=0.2, emitters=emitters)
    me = CMAMEStrategy(config)
    es = EvosaxStrategy("CMA_ES", DIMS, BATCH, std_init=0.2)
    params = me.default_params
    key = jax.random.key(3)
    s_me = me.init(key, params)
    s_es = [es.init(k, params) for k in jax.random.split(key, emitters)]
    for k in jax.random.split(key, 5):
        k_ask, k_tell = jax.random.split(k)
        pop, s_me = me.ask(k_ask, s_me, params)
        assert pop.shape == (BATCH * emitters, DIMS)
        asked = [es.ask(k_i, s, params) for k_i, s in zip(jax.random.split(k_ask, emitters), s_es)]
        # The emitters run compiled, the lone CMA-ES op by op: equal to rounding.
        np.testing.assert_allclose(pop, np.concatenate([p for p, _ in asked]), atol=1e-5)
        asked = [(pop[i * BATCH : (i + 1) * BATCH], s) for i, (_, s) in enumerate(asked)]
        # A fitness without ties (the arm's clipping ties individuals beyond the box).
        f, d = -jnp.sum((pop - 0.5) ** 2, axis=1), jnp.clip(pop[:, :2], 0.0, 1.0)
        s_me, _ = me.tell(
            k_tell, pop, Evaluation(f, jnp.int32(0), jnp.int32(0), descriptors=d), s_me, params
        )
        told = jax.random.split(jax.random.split(k_tell, 3)[0], emitters)
        s_es = [
            es.tell(k_i, p, f[i * BATCH : (i + 1) * BATCH], s, params)[0]
            for i, (k_i, (p, s)) in enumerate(zip(told, asked))
        ]
        assert int(s_me.restarts) == 0  # every candidate beats the fixed threshold
    # Only the ranks reach CMA-ES, and f - t_min ranks as f does: the same search.
    for i, s in enumerate(s_es):
        assert_trees_equal(s_me.es.inner.mean[i], s.inner.mean, rtol=1e-6)
        assert_trees_equal(s_me.es.inner.C[i], s.inner.C, rtol=1e-5, atol=1e-7)


def test_several_emitters_fill_one_archive_and_restart_on_their_own():
    config = CMAMEConfig(4 * 8, DIMS, LAYOUT, sigma0=0.2, qd_offset=-1.0, emitters=4)
    uniform = lambda key: jax.random.uniform(key, (DIMS,))  # noqa: E731
    state, metrics = _run(CMAMEStrategy(config, uniform), 200)
    assert np.asarray(metrics["coverage"])[-1] > 0.2
    means = np.asarray(state.es.inner.mean)
    assert means.shape == (4, DIMS) and len(np.unique(means, axis=0)) == 4
    # Restarts are counted emitter by emitter: the total can grow by more than one.
    assert int(state.restarts) >= 1


def test_impossible_settings_are_refused():
    with pytest.raises(ValueError, match="learning_rate must be in"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, learning_rate=1.5)
    with pytest.raises(ValueError, match="needs a finite threshold_min"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, learning_rate=0.5)
    with pytest.raises(ValueError, match="sigma0 must be a finite positive"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, sigma0=0.0)
    with pytest.raises(ValueError, match="3 emitters cannot share a batch of pop_size=16"):
        CMAMEConfig(BATCH, DIMS, LAYOUT, emitters=3)
