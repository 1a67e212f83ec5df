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
from evotrain.neat.genome import CONN_ATTRS, NODE_ATTRS, Genome, GenomeConfig
from evotrain.networks import Network
from tests.hyperneat.test_cppn import BLOG_INPUTS, BLOG_MATRIX, BLOG_OUTPUTS, blog_cppn


def _blog_network(**kwargs) -> tuple[SubstrateNetwork, object]:
    cppn, genome = blog_cppn()
    substrate = Substrate(inputs=BLOG_INPUTS, outputs=BLOG_OUTPUTS)
    return SubstrateNetwork(substrate, cppn.config, CPPNConfig(), **kwargs), genome


def test_prepare_generates_the_blogs_matrix_through_the_weight_mapping():
    network, genome = _blog_network()
    assert isinstance(network, Network)
    (weights,) = network.prepare(genome).weights
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
    (weights,) = network.prepare(genome).weights
    np.testing.assert_allclose(network.apply(genome, x), weights @ x, rtol=1e-6)
    tanh_out = dataclasses.replace(network, output_activation="tanh")
    np.testing.assert_allclose(tanh_out.apply(genome, x), jnp.tanh(weights @ x), rtol=1e-6)


def test_hidden_rows_use_the_hidden_activation_and_jit_matches_eager():
    cppn, genome = blog_cppn()
    substrate = MLPSubstrate(4, 3, hidden_layers=(5,))
    network = SubstrateNetwork(substrate, cppn.config)
    first, second = network.prepare(genome).weights
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


def _three_output_cppn() -> tuple[GenomeConfig, Genome]:
    """A CPPN with weight ``tanh(x1 - x2)``, bias ``tanh(y2)`` and LEO ``tanh(x2)`` outputs
    (inputs x1, y1, x2, y2, distance: keys 0-4; outputs 5, 6, 7)."""
    config = GenomeConfig(
        5, 3, max_nodes=10, max_conns=16, activation_options=("tanh",), output_activation="tanh"
    )
    nodes = np.full((config.max_nodes, NODE_ATTRS), np.nan, np.float32)
    nodes[:8] = [[k, 0.0, 1.0, 0.0, 0.0] for k in range(8)]
    conns = np.full((config.max_conns, CONN_ATTRS), np.nan, np.float32)
    conns[:4] = [[0, 5, 1.0, 1], [2, 5, -1.0, 1], [3, 6, 1.0, 1], [2, 7, 1.0, 1]]
    return config, Genome(nodes=jnp.asarray(nodes), conns=jnp.asarray(conns))


def test_bias_and_leo_outputs():
    config, genome = _three_output_cppn()
    substrate = Substrate(inputs=[(-1.0, -1.0), (1.0, -1.0)], outputs=[(-0.5, 1.0), (0.5, 1.0)])
    cppn = CPPNConfig(bias_output=True, leo=True, max_weight=2.0)
    network = SubstrateNetwork(substrate, config, cppn)
    plan = network.prepare(genome)
    (weights,), (bias,) = plan.weights, plan.biases
    xs_in, xs_out = np.array([-1.0, 1.0]), np.array([-0.5, 0.5])
    expected = np.tanh(xs_in[None, :] - xs_out[:, None]) * 2.0  # no threshold under LEO
    expected[xs_out <= 0.0, :] = 0.0  # LEO = tanh(x2) > 0: only targets right of x = 0
    np.testing.assert_allclose(np.asarray(weights), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(bias), np.tanh([1.0, 1.0]) * 2.0, rtol=1e-5)
    x = jnp.array([0.3, -0.7])
    np.testing.assert_allclose(network.apply(genome, x), expected @ x + bias, rtol=1e-5)


def test_cppn_output_count_is_checked():
    config, _ = _three_output_cppn()
    substrate = Substrate(inputs=[(-1.0, -1.0)], outputs=[(0.0, 1.0)])
    with pytest.raises(ValueError, match="options need 2"):
        SubstrateNetwork(substrate, config, CPPNConfig(bias_output=True))
    with pytest.raises(ValueError, match="feedforward"):
        SubstrateNetwork(
            substrate,
            dataclasses.replace(config, feedforward=False),
            CPPNConfig(True, False, 0.3, 5.0, True, True),
        )


def test_recurrent_substrate_carries_node_values_across_steps():
    cppn, genome = blog_cppn()
    substrate = MLPSubstrate(2, 1, hidden_layers=(2,))
    network = SubstrateNetwork(substrate, cppn.config, recurrent=True)
    plan = network.prepare(genome)
    (weights,) = plan.weights
    assert weights.shape == (3, 5)  # hidden + outputs <- inputs + hidden + outputs
    sources, targets = network.pairs()[0]
    raw = query(cppn, genome, sources, targets, network.cppn_config)
    np.testing.assert_allclose(weights, to_weights(raw, network.cppn_config), rtol=1e-6)
    carry = network.initial_carry(plan)
    np.testing.assert_array_equal(carry, np.zeros(3))
    x = jnp.array([0.5, -1.0])
    values = np.zeros(3)
    for _ in range(3):  # the same input, yet the memory makes the outputs differ
        out, carry = network.step(plan, carry, x)
        pre = np.asarray(weights) @ np.concatenate([np.asarray(x), values])
        values = np.concatenate([np.tanh(pre[:2]), pre[2:]])
        np.testing.assert_allclose(carry, values, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out, values[2:], rtol=1e-5, atol=1e-6)
    first = network.step(plan, network.initial_carry(plan), x)[0]
    assert not np.allclose(first, out)
    twice = dataclasses.replace(network, activate_time=2)
    once_more = network.step(plan, network.step(plan, network.initial_carry(plan), x)[1], x)
    np.testing.assert_allclose(
        twice.step(plan, twice.initial_carry(plan), x)[1], once_more[1], rtol=1e-6
    )
