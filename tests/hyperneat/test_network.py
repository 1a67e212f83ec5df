"""The substrate network: CPPN-generated weights, run layer by layer."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.hyperneat import (
    CPPNConfig,
    MLPSubstrate,
    Substrate,
    SubstrateNetwork,
    query,
    to_weights,
)
from evotrain.networks import Network
from tests.hyperneat.test_cppn import BLOG_INPUTS, BLOG_MATRIX, BLOG_OUTPUTS, blog_cppn


def _blog_network(**kwargs) -> tuple[SubstrateNetwork, object]:
    cppn, genome = blog_cppn()
    substrate = Substrate(inputs=BLOG_INPUTS, outputs=BLOG_OUTPUTS)
    return SubstrateNetwork(substrate, cppn.config, CPPNConfig(), **kwargs), genome


def test_prepare_generates_the_blogs_matrix_through_the_weight_mapping():
    network, genome = _blog_network()
    assert isinstance(network, Network)
    (weights,) = network.prepare(genome)
    expected = np.asarray(to_weights(jnp.asarray(BLOG_MATRIX), network.cppn_config))
    np.testing.assert_allclose(np.asarray(weights), expected, atol=2e-2)
    raw = query(
        blog_cppn()[0],
        genome,
        network.substrate.inputs,
        network.substrate.outputs,
        network.cppn_config,
    )
    cut = np.abs(np.asarray(raw)) < network.cppn_config.weight_threshold
    assert cut.sum() >= 2  # the two -0.136 entries at least
    np.testing.assert_array_equal(np.asarray(weights) == 0.0, cut)


def test_step_is_the_weight_matrix_applied_row_by_row():
    network, genome = _blog_network()
    x = jnp.array([0.5, -1.0, 2.0, 0.25])
    (weights,) = network.prepare(genome)
    np.testing.assert_allclose(network.apply(genome, x), weights @ x, rtol=1e-6)
    tanh_out = dataclasses.replace(network, output_activation="tanh")
    np.testing.assert_allclose(tanh_out.apply(genome, x), jnp.tanh(weights @ x), rtol=1e-6)


def test_hidden_rows_use_the_hidden_activation_and_jit_matches_eager():
    cppn, genome = blog_cppn()
    substrate = MLPSubstrate(4, 3, hidden_layers=(5,))
    network = SubstrateNetwork(substrate, cppn.config)
    first, second = network.prepare(genome)
    assert first.shape == (5, 4) and second.shape == (3, 5)
    x = jnp.linspace(-1.0, 1.0, 4)
    expected = second @ jnp.tanh(first @ x)
    np.testing.assert_allclose(network.apply(genome, x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jax.jit(network.apply)(genome, x), expected, rtol=1e-5, atol=1e-6)


def test_a_cppn_of_the_wrong_input_count_is_refused():
    cppn, _ = blog_cppn()
    with pytest.raises(ValueError, match="needs 6"):
        SubstrateNetwork(MLPSubstrate(4, 3), cppn.config, CPPNConfig(use_bias=True))


def test_with_genome_config_changes_only_the_cppn_capacity():
    network, _ = _blog_network()
    smaller = dataclasses.replace(network.cppn, max_nodes=10)
    other = network.with_genome_config(smaller)
    assert other.genome_config is smaller and other.substrate is network.substrate
