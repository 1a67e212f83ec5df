"""The CPPN query, checked against the blog's hand-written CPPN, and its weight mapping."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.hyperneat import CPPNConfig, Substrate, query, to_weights
from evotrain.neat.genome import CONN_ATTRS, NODE_ATTRS, Genome, GenomeConfig
from evotrain.networks.neat_network import NEATNetwork

# The blog's section 4: a 4x1 input row at y = -1 and a 3x1 output row at y = 1 ...
BLOG_INPUTS = [(-1.5, -1), (-0.5, -1), (0.5, -1), (1.5, -1)]
BLOG_OUTPUTS = [(-1.0, 1), (0.0, 1), (1.0, 1)]
# ... and the 3x4 weight matrix its 8-parameter CPPN printed.
BLOG_MATRIX = np.array(
    [
        [0.488, 0.3, 0.524, -0.877],
        [0.773, -0.136, -0.136, 0.773],
        [-0.877, 0.524, 0.3, 0.488],
    ]
)
ACTS = ("sin", "gauss", "identity", "tanh")


def blog_cppn(params=(3.0, 0.5, 2.0, 0.1, 1.2, -0.8, 0.5, 0.0)):
    """The blog's CPPN as a NEAT genome: inputs x1, y1, x2, y2, d (keys 0-4), output 5,
    hidden sin (6), gauss (7) and identity (8) nodes, tanh output.

    ``h1 = sin(p0 d + p1)``; ``h2 = exp(-p2 ((x1 + x2) / 2)^2)``, i.e. the table's gauss
    ``exp(-5 z^2)`` of ``z = c (x1 + x2)`` with ``5 c^2 = p2 / 4``; ``h3 = p3 (y2 - y1)``;
    ``out = tanh(p4 h1 + p5 h2 + p6 h3 + p7)``.
    """
    p = params
    c = math.sqrt(p[2] / 20.0)
    config = GenomeConfig(
        5, 1, max_nodes=12, max_conns=16, activation_options=ACTS, activation_default="tanh"
    )
    act = {name: float(i) for i, name in enumerate(ACTS)}
    node_rows = [[k, 0.0, 1.0, act["identity"], 0.0] for k in range(5)]
    node_rows += [
        [5, p[7], 1.0, act["tanh"], 0.0],
        [6, p[1], 1.0, act["sin"], 0.0],
        [7, 0.0, 1.0, act["gauss"], 0.0],
        [8, 0.0, 1.0, act["identity"], 0.0],
    ]
    conn_rows = [
        [4, 6, p[0], 1],
        [0, 7, c, 1],
        [2, 7, c, 1],
        [1, 8, -p[3], 1],
        [3, 8, p[3], 1],
        [6, 5, p[4], 1],
        [7, 5, p[5], 1],
        [8, 5, p[6], 1],
    ]
    nodes = np.full((config.max_nodes, NODE_ATTRS), np.nan, np.float32)
    nodes[: len(node_rows)] = node_rows
    conns = np.full((config.max_conns, CONN_ATTRS), np.nan, np.float32)
    conns[: len(conn_rows)] = conn_rows
    return NEATNetwork(config), Genome(nodes=jnp.asarray(nodes), conns=jnp.asarray(conns))


def test_the_blogs_cppn_reproduces_its_weight_matrix():
    network, genome = blog_cppn()
    substrate = Substrate(inputs=BLOG_INPUTS, outputs=BLOG_OUTPUTS)
    config = CPPNConfig(use_distance=True, use_bias=False)
    raw = np.asarray(query(network, genome, substrate.inputs, substrate.outputs, config))
    assert raw.shape == (3, 4)
    np.testing.assert_allclose(raw, BLOG_MATRIX, atol=1e-3)
    # The substrate is symmetric about x = 0, and so is the pattern: rows 0 and 2 mirror.
    np.testing.assert_allclose(raw[0], raw[2][::-1], atol=1e-6)
    np.testing.assert_allclose(raw[1], raw[1][::-1], atol=1e-6)


def test_other_parameters_give_other_weights():
    network, genome = blog_cppn((1.0, 0.0, 0.5, 0.3, -1.0, 0.4, 0.2, 0.1))
    substrate = Substrate(inputs=BLOG_INPUTS, outputs=BLOG_OUTPUTS)
    raw = np.asarray(query(network, genome, substrate.inputs, substrate.outputs, CPPNConfig()))
    assert not np.allclose(raw, BLOG_MATRIX, atol=1e-2)


def test_weights_below_the_threshold_are_cut_and_the_rest_scaled():
    config = CPPNConfig(weight_threshold=0.3, max_weight=5.0)
    raw = jnp.array([0.0, 0.29, -0.29, 0.3, 0.65, -1.0, 1.0, 2.0, -3.0])
    weights = np.asarray(to_weights(raw, config))
    expected = [0.0, 0.0, 0.0, 0.0, 2.5, -5.0, 5.0, 5.0, -5.0]
    np.testing.assert_allclose(weights, expected, atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weight_threshold": 1.0}, "weight_threshold"),
        ({"weight_threshold": -0.1}, "weight_threshold"),
        ({"max_weight": 0.0}, "max_weight"),
    ],
)
def test_impossible_cppn_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CPPNConfig(**kwargs)


def test_cppn_input_count_follows_the_options():
    assert CPPNConfig(use_distance=True, use_bias=True).num_inputs(2) == 6
    assert CPPNConfig(use_distance=False, use_bias=False).num_inputs(3) == 6
