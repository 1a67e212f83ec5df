import jax.numpy as jnp
import numpy as np

from evotrain.evaluation import ObsBatchStats, init_norm, merge, normalize


def _stats(x):
    return ObsBatchStats(
        count=jnp.asarray(float(len(x))),
        sum=jnp.asarray(x.sum(0)),
        sumsq=jnp.asarray((x**2).sum(0)),
    )


def test_merge_matches_numpy_over_batches():
    rng = np.random.default_rng(0)
    a = rng.normal(3.0, 2.0, (500, 3)).astype(np.float32)
    b = rng.normal(-1.0, 0.5, (300, 3)).astype(np.float32)
    state = merge(merge(init_norm(3), _stats(a)), _stats(b))
    both = np.concatenate([a, b])
    np.testing.assert_allclose(state.mean, both.mean(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(state.var, both.var(0), rtol=1e-3)
    assert float(state.count) == 800


def test_empty_stats_are_identity_and_empty_batches_are_ignored():
    state = init_norm(2)
    obs = jnp.array([[10.0, -3.0]])
    np.testing.assert_array_equal(normalize(state, obs), obs)
    empty = ObsBatchStats(count=jnp.zeros(()), sum=jnp.zeros(2), sumsq=jnp.zeros(2))
    assert float(merge(state, empty).count) == 0


def test_nonfinite_batches_never_reach_statistics():
    state = merge(init_norm(2), _stats(np.ones((4, 2), np.float32)))
    bad = ObsBatchStats(count=jnp.asarray(2.0), sum=jnp.array([jnp.nan, 1.0]), sumsq=jnp.ones(2))
    after = merge(state, bad)
    np.testing.assert_array_equal(after.mean, state.mean)
    assert float(after.count) == float(state.count)


def test_normalize_clips():
    state = merge(init_norm(1), _stats(np.array([[0.0], [1.0]], np.float32)))
    assert float(normalize(state, jnp.array([[100.0]]))[0, 0]) == 5.0
