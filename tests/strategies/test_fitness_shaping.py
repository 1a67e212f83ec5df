import jax.numpy as jnp
import numpy as np

from evotrain.strategies import centered_ranks, ranks, sanitize


def test_centered_ranks():
    shaped = centered_ranks(jnp.array([3.0, -1.0, 10.0, 0.0]))
    np.testing.assert_allclose(shaped, [1 / 6, -0.5, 0.5, -1 / 6], atol=1e-6)
    np.testing.assert_array_equal(ranks(jnp.array([2.0, 2.0, 1.0])), [1.5, 1.5, 0])
    np.testing.assert_array_equal(centered_ranks(jnp.zeros(5)), 0.0)


def test_sanitize_maps_nonfinite_to_neg_inf_and_counts():
    fit, n = sanitize(jnp.array([1.0, jnp.nan, jnp.inf, -jnp.inf, 2.0]))
    assert int(n) == 3
    assert np.isneginf(np.asarray(fit[1:4])).all()
    assert float(centered_ranks(fit)[4]) == 0.5
