"""ES-HyperNEAT's network: the search's connections run as a feedforward network (equal to
evaluating neurons in order of height) or a recurrent one with memory; bad layouts are
refused."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.hyperneat.cppn import CPPNConfig
from evotrain.hyperneat.es_network import ESSubstrateNetwork
from evotrain.hyperneat.es_search import ESConfig
from evotrain.hyperneat.network import CPPN_ACTIVATIONS
from evotrain.neat.genome import GenomeConfig, initial_population
from evotrain.neat.mutation import mutate_population, population_draws
from evotrain.neat.params import NEATParams

INPUTS = np.array([[-1.0, -1.0], [0.0, -1.0], [1.0, -1.0]], np.float32)
OUTPUTS = np.array([[-0.4, 1.0], [0.4, 1.0]], np.float32)
CPPN = GenomeConfig(5, 2, 14, 30, activation_options=CPPN_ACTIVATIONS, output_activation="tanh")
CPPN1 = dataclasses.replace(CPPN, num_outputs=1)  # no bias output


def grown_cppns(n: int, seed: int = 1, layout: GenomeConfig = CPPN):
    params = NEATParams(node_add=0.5, conn_add=0.7, activation_replace_rate=0.3)
    key = jax.random.key(seed)
    genomes = initial_population(key, layout, n, params.bias, params.response, params.weight)
    next_key = jnp.asarray(layout.num_io, jnp.float32)
    for k in jax.random.split(key, 4):
        uniform, normal = population_draws(k, n, layout)
        genomes, next_key = mutate_population(uniform, normal, genomes, next_key, params, layout)
    return genomes


def _by_height(net, plan, x):
    """The feedforward network evaluated neuron by neuron in order of height."""
    w, b = np.asarray(plan.weights, np.float64), np.asarray(plan.biases, np.float64)
    pos = net.positions
    n_in, n_out = len(net.inputs), len(net.outputs)
    value = np.zeros(len(pos))
    value[:n_in] = x
    for j in sorted(range(n_in, len(pos)), key=lambda j: pos[j, 1]):
        pre = w[j] @ value + b[j]
        value[j] = pre if j >= len(pos) - n_out else np.tanh(pre)
    return value[-n_out:]


def test_the_feedforward_network_is_its_connections_evaluated_in_order_of_height():
    net = ESSubstrateNetwork(
        INPUTS, OUTPUTS, CPPN, CPPNConfig(bias_output=True), ESConfig(band_threshold=0.1)
    )
    genomes = grown_cppns(4)
    prepare, step = jax.jit(net.prepare), jax.jit(lambda p, x: net.step(p, (), x)[0])
    rng = np.random.default_rng(0)
    used = 0
    for i in range(4):
        plan = prepare(jax.tree_util.tree_map(lambda g, i=i: g[i], genomes))
        w = np.asarray(plan.weights)
        # Connections only climb: a neuron's sources sit lower than it.
        targets, sources = np.nonzero(w)
        assert np.all(net.positions[sources, 1] < net.positions[targets, 1])
        used += len(targets)
        for _ in range(3):
            x = rng.normal(size=3).astype(np.float32)
            np.testing.assert_allclose(step(plan, x), _by_height(net, plan, x), atol=1e-4)
    assert used > 0


def test_a_recurrent_network_carries_its_values_between_steps():
    config = ESConfig(band_threshold=0.1, feedforward=False)
    net = ESSubstrateNetwork(INPUTS, OUTPUTS, CPPN1, CPPNConfig(), config, activate_time=2)
    plan = jax.jit(net.prepare)(jax.tree_util.tree_map(lambda g: g[0], grown_cppns(1, 1, CPPN1)))
    carry = net.initial_carry(plan)
    assert carry.shape == (len(net.positions) - 3,) and not np.any(carry)
    x = np.array([0.5, -0.2, 0.1], np.float32)
    step = jax.jit(net.step)
    w, b = np.asarray(plan.weights), np.asarray(plan.biases)
    values = np.zeros(carry.shape)
    for _ in range(3):  # three env steps, two updates each, by hand
        for _ in range(2):
            pre = w[3:] @ np.concatenate([x, values]) + b[3:]
            values = np.concatenate([np.tanh(pre[:-2]), pre[-2:]])
        out, carry = step(plan, carry, x)
        np.testing.assert_allclose(out, values[-2:], atol=1e-4)
        np.testing.assert_allclose(carry, values, atol=1e-4)


def test_bad_layouts_are_refused():
    with pytest.raises(ValueError, match="sit on candidate hidden positions"):
        ESSubstrateNetwork(np.array([[-0.125, -0.125]], np.float32), OUTPUTS, CPPN1)
    with pytest.raises(ValueError, match="must be 2-D positions"):
        ESSubstrateNetwork(np.zeros((3, 3), np.float32), OUTPUTS, CPPN1)
    with pytest.raises(ValueError, match="feedforward genome with 5 inputs"):
        ESSubstrateNetwork(INPUTS, OUTPUTS, dataclasses.replace(CPPN1, num_inputs=4))
    with pytest.raises(ValueError, match="and 1 outputs"):
        ESSubstrateNetwork(INPUTS, OUTPUTS, CPPN)  # a bias output the options do not read
    with pytest.raises(ValueError, match="leo=True does not apply"):
        ESSubstrateNetwork(
            INPUTS, OUTPUTS, dataclasses.replace(CPPN1, num_outputs=2), CPPNConfig(leo=True)
        )
