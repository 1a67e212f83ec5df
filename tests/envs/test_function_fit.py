import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.envs import FunctionFit


def test_xor():
    fit = FunctionFit.xor()
    assert fit.spec.obs_size == 2 and fit.spec.num_outputs == 1
    assert float(fit.score(jnp.asarray(fit.targets))) == 0.0
    assert float(fit.score(jnp.zeros((4, 1)))) == pytest.approx(-0.5)


def test_from_function_and_custom_metric():
    fit = FunctionFit.from_function(
        lambda x: jnp.sin(x[:, 0]), -3.0, 3.0, num_inputs=1, num_samples=32, key=jax.random.key(1)
    )
    assert fit.inputs.shape == (32, 1) and fit.targets.shape == (32, 1)
    np.testing.assert_allclose(fit.targets[:, 0], np.sin(fit.inputs[:, 0]), rtol=1e-6)
    mae = FunctionFit(fit.inputs, fit.targets, metric=lambda o, t: -jnp.mean(jnp.abs(o - t)))
    assert float(mae.score(jnp.asarray(fit.targets) + 1.0)) == pytest.approx(-1.0)


def test_bad_shapes():
    with pytest.raises(ValueError, match="4 samples but targets have 3"):
        FunctionFit(np.zeros((4, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="must be 2-D"):
        FunctionFit(np.zeros((4, 2, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="at least one sample"):
        FunctionFit(np.zeros((0, 2)), np.zeros((0, 1)))
