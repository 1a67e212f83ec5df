"""The one combine: a population evaluated in parts (stacked chunks, host slices) gives
what it gives in one part, descriptors included, and the totals are added."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from evotrain.evaluation.normalization import ObsBatchStats
from evotrain.evaluation.result import HOST_SLICES, STACKED, Evaluation, combine


def _part(rng, n, lanes_stats):
    return Evaluation(
        fitness=rng.normal(size=n),
        env_steps=np.asarray(int(rng.integers(1, 100))),
        episode_length_max=np.asarray(int(rng.integers(1, 50))),
        obs_stats=ObsBatchStats(
            count=rng.integers(1, 9, size=lanes_stats).astype(np.float64),
            sum=rng.normal(size=(lanes_stats, 3)),
            sumsq=rng.uniform(size=(lanes_stats, 3)),
        ),
        descriptors=rng.uniform(size=(n, 2)),
    )


def test_host_slices_join_in_population_order_and_add_the_totals():
    rng = np.random.default_rng(0)
    parts = [_part(rng, 3, 6), _part(rng, 4, 8)]
    whole = combine(parts, HOST_SLICES)
    np.testing.assert_array_equal(
        whole.fitness, np.concatenate([p.fitness for p in parts]).astype(np.float32)
    )
    np.testing.assert_array_equal(
        whole.descriptors, np.concatenate([p.descriptors for p in parts]).astype(np.float32)
    )
    assert whole.fitness.dtype == jnp.float32 and whole.env_steps.dtype == jnp.int32
    assert int(whole.env_steps) == sum(int(p.env_steps) for p in parts)
    assert int(whole.episode_length_max) == max(int(p.episode_length_max) for p in parts)
    lanes = np.concatenate([p.obs_stats.sum for p in parts])
    np.testing.assert_array_equal(whole.obs_stats.sum, lanes.sum(0).astype(np.float32))
    assert float(whole.obs_stats.count) == sum(p.obs_stats.count.sum() for p in parts)


def test_stacked_chunks_join_like_one_part_and_leave_absent_fields_absent():
    rng = np.random.default_rng(1)
    chunks = Evaluation(
        fitness=jnp.asarray(rng.normal(size=(3, 4)), jnp.float32),
        env_steps=jnp.asarray([5, 6, 7], jnp.int32),
        episode_length_max=jnp.asarray([2, 9, 4], jnp.int32),
        descriptors=jnp.asarray(rng.uniform(size=(3, 4, 2)), jnp.float32),
    )
    whole = combine(chunks, STACKED)
    np.testing.assert_array_equal(whole.fitness, np.asarray(chunks.fitness).reshape(12))
    np.testing.assert_array_equal(whole.descriptors, np.asarray(chunks.descriptors).reshape(12, 2))
    assert int(whole.env_steps) == 18 and int(whole.episode_length_max) == 9
    assert whole.obs_stats is None
    no_descriptors = combine(chunks.replace(descriptors=None), STACKED)
    assert no_descriptors.descriptors is None
