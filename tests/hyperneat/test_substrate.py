"""Substrate layouts and their bad-input errors."""

from __future__ import annotations

import numpy as np
import pytest

from evotrain.hyperneat import MLPSubstrate, Substrate, row


def test_mlp_substrate_rows_and_connections():
    s = MLPSubstrate(4, 2, hidden_layers=(3,))
    assert (s.num_inputs, s.num_outputs, s.dim) == (4, 2, 2)
    assert [layer.shape for layer in s.layers] == [(4, 2), (3, 2), (2, 2)]
    assert s.num_connections == 4 * 3 + 3 * 2
    np.testing.assert_allclose(s.inputs[:, 1], -1.0)
    np.testing.assert_allclose(s.hidden[0][:, 1], 0.0)
    np.testing.assert_allclose(s.outputs[:, 1], 1.0)
    np.testing.assert_allclose(s.inputs[:, 0], [-1.0, -1 / 3, 1 / 3, 1.0], atol=1e-6)
    np.testing.assert_allclose(row(1, 0.5), [[0.0, 0.5]])


def test_sizes_are_checked_against_the_env():
    s = MLPSubstrate(4, 2)
    s.check_sizes(4, 2, "gymnax:CartPole-v1")
    with pytest.raises(ValueError, match="needs 5 inputs"):
        s.check_sizes(5, 2, "gymnax:CartPole-v1")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"inputs": [1.0, 2.0], "outputs": [[0.0, 1.0]]}, "shape"),
        ({"inputs": np.zeros((0, 2)), "outputs": [[0.0, 1.0]]}, "n >= 1"),
        ({"inputs": [[0.0, 0.0]], "outputs": [[0.0, 1.0, 2.0]]}, "same number"),
        ({"inputs": [[0.0, np.nan]], "outputs": [[0.0, 1.0]]}, "finite"),
        ({"inputs": [[0.0, 0.0]], "outputs": [[0.0, 1.0]], "hidden": ([[1.0]],)}, "hidden"),
    ],
)
def test_bad_coordinates_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Substrate(**kwargs)


def test_a_row_needs_a_neuron():
    with pytest.raises(ValueError, match="at least one"):
        row(0, 0.0)
