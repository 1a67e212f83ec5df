import math

import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.envs import Box, Discrete, EnvSpec, outputs_to_action


def test_discrete_is_argmax():
    out = jnp.array([[0.1, 0.9, 0.2], [3.0, -1.0, 2.0]])
    np.testing.assert_array_equal(outputs_to_action(Discrete(3), out), [1, 0])


def test_box_squashes_into_bounds():
    box = Box((-2.0, 0.0), (2.0, 10.0))
    out = jnp.array([[0.0, 0.0], [100.0, -100.0]])
    act = np.asarray(outputs_to_action(box, out))
    np.testing.assert_allclose(act[0], [0.0, 5.0], atol=1e-6)
    np.testing.assert_allclose(act[1], [2.0, 0.0], atol=1e-6)


def test_unbounded_box_is_identity_and_mixed_bounds_per_dimension():
    out = jnp.array([[7.0, 7.0]])
    np.testing.assert_array_equal(
        outputs_to_action(Box((-math.inf,) * 2, (math.inf,) * 2), out), out
    )
    mixed = np.asarray(outputs_to_action(Box((-1.0, -math.inf), (1.0, math.inf)), out))
    assert mixed[0, 0] == pytest.approx(np.tanh(7.0), abs=1e-6)
    assert mixed[0, 1] == 7.0


def test_box_validation():
    with pytest.raises(ValueError, match="differ in length"):
        Box((0.0,), (1.0, 2.0))
    with pytest.raises(ValueError, match="above high"):
        Box((1.0,), (0.0,))


def test_spec_describe_and_outputs():
    spec = EnvSpec("gymnax:CartPole-v1", "gymnax", 4, Discrete(2), 500)
    assert spec.num_outputs == 2
    assert "Discrete(2)" in spec.describe() and "obs 4" in spec.describe()
