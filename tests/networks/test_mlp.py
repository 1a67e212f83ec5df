import jax
import numpy as np
import pytest

from evotrain.networks import MLP, get_activation, register_activation


def test_num_params_and_init():
    net = MLP((4, 8, 2))
    assert net.num_params == 4 * 8 + 8 + 8 * 2 + 2
    params = net.init(jax.random.key(0))
    assert params.shape == (net.num_params,)
    np.testing.assert_array_equal(params[32:40], 0.0)  # first-layer biases start at zero


def test_apply_matches_numpy():
    net = MLP((3, 4, 2), "relu")
    params = np.asarray(jax.random.normal(jax.random.key(1), (net.num_params,)))
    x = np.array([0.5, -1.0, 2.0], np.float32)
    w1, b1 = params[:12].reshape(3, 4), params[12:16]
    w2, b2 = params[16:24].reshape(4, 2), params[24:26]
    expected = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
    np.testing.assert_allclose(net.apply(params, x), expected, rtol=1e-5, atol=1e-6)
    batch = np.stack([x, -x])
    assert net.apply(params, batch).shape == (2, 2)


def test_bad_mlp():
    with pytest.raises(ValueError, match="input and an output"):
        MLP((3,))
    with pytest.raises(ValueError, match="positive"):
        MLP((3, 0, 1))
    with pytest.raises(ValueError, match="Unknown activation 'nope'"):
        MLP((3, 1), "nope")


def test_register_activation():
    register_activation("twice_for_test", lambda x: 2 * x)
    assert float(get_activation("twice_for_test")(np.float32(3.0))) == 6.0
    with pytest.raises(ValueError, match="already exists"):
        register_activation("twice_for_test", lambda x: x)
    register_activation("twice_for_test", lambda x: 3 * x, overwrite=True)
    assert float(get_activation("twice_for_test")(np.float32(1.0))) == 3.0
