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


def test_z_scores_and_raw_values():
    from evotrain.strategies.fitness_shaping import shape

    f = jnp.array([1.0, 2.0, 3.0, 6.0])
    z = shape("z_score", f)
    np.testing.assert_allclose(z, (f - 3.0) / np.std([1.0, 2.0, 3.0, 6.0]), rtol=1e-5)
    np.testing.assert_array_equal(shape("z_score", jnp.full(3, 7.0)), np.zeros(3))
    np.testing.assert_array_equal(shape("raw", f), f)
    # a non-finite fitness counts as the worst finite one, never as NaN or inf
    shaped = shape("z_score", jnp.array([-jnp.inf, 1.0, 3.0]))
    assert np.isfinite(shaped).all() and shaped[0] == shaped[1]
    np.testing.assert_array_equal(shape("raw", jnp.array([-jnp.inf, jnp.inf])), [0.0, 0.0])


def test_nes_utilities_match_evosax_weights_by_rank():
    from evosax.algorithms.distribution_based.xnes import get_weights

    from evotrain.strategies.fitness_shaping import shape

    f = jnp.array([0.3, 5.0, -2.0, 1.0, 4.0, 0.0])
    weights = np.asarray(get_weights(6))  # best first
    order = np.argsort(-np.asarray(f))
    np.testing.assert_allclose(np.asarray(shape("nes_utilities", f))[order], weights, rtol=1e-6)
    assert abs(float(shape("nes_utilities", f).sum())) < 1e-6
    tied = shape("nes_utilities", jnp.array([1.0, 1.0, 0.0]))
    assert tied[0] == tied[1] > tied[2]


def test_open_es_takes_a_fitness_shaping_and_refuses_unknown_ones():
    import pytest

    from evotrain import OpenES

    model = OpenES("MlpPolicy", "xor", pop_size=8, fitness_shaping="z_score", seed=0).learn(2)
    assert model.strategy.config.fitness_shaping == "z_score"
    with pytest.raises(ValueError, match="fitness_shaping='ranks' is not known"):
        OpenES("MlpPolicy", "xor", pop_size=8, fitness_shaping="ranks")
